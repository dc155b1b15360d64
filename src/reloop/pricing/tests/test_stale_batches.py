"""Stale buy boxes of the Seller API's bulk calls are ranked in batches (ADR 0044): a web request ranks one batch at
most and leaves the backlog to the job; the job ranks them all."""

from __future__ import annotations

from typing import cast

import pytest

from reloop.catalog.models import Variant
from reloop.catalog.tests.factories import VariantFactory
from reloop.pricing import services
from reloop.pricing.models import StaleBuyBox

pytestmark = pytest.mark.django_db


def test_a_request_ranks_one_batch_and_the_job_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "STALE_BATCH_KEYS", 2)
    variants = [cast(Variant, VariantFactory()) for _ in range(5)]
    services.mark_buy_boxes_stale(variant_grades=[(v.pk, "good") for v in variants], markets={"fr-fr"})
    assert StaleBuyBox.objects.count() == 5

    services.refresh_stale_buy_boxes(batches=1)  # what the seller's call does when a batch is due
    assert StaleBuyBox.objects.count() == 3  # the oldest two ranked; the backlog waits for the job

    services.refresh_stale_buy_boxes()  # the job
    assert not StaleBuyBox.objects.exists()
