"""`reloop run_jobs` lifts yesterday's new-seller caps (the rule is tested in checkout/tests/test_daily_cap)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reloop.ops.jobs import JOBS
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_the_lift_daily_caps_job_lifts_only_earlier_days_and_is_idempotent():
    today = timezone.now().date()
    yesterday = SellerFactory(capped_on=today - dt.timedelta(days=1))
    still_today = SellerFactory(capped_on=today)
    job = next(j for j in JOBS if j.name == "lift_daily_caps")

    assert (job.run(), job.run()) == (1, 0)
    assert dict(Seller.objects.filter(pk__in=[yesterday.pk, still_today.pk]).values_list("pk", "capped_on")) == {
        yesterday.pk: None,
        still_today.pk: today,
    }
