"""The payout jobs in ``reloop run_jobs``: releases every day, payouts on the payout days; twice = once."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.offers.tests.factories import make_offer
from reloop.ops.jobs import JOBS
from reloop.payments.models import LedgerTransaction, LineRelease, Payout
from reloop.payments.tests.factories import deliver, make_order
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
JOB = {job.name: job for job in JOBS}


def at(monkeypatch, day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)


def run_payout_jobs() -> tuple[int, int]:
    return JOB["release_matured_lines"].run(), JOB["run_payouts"].run()


def test_the_payout_jobs_run_twice_do_what_once_does(monkeypatch):
    seller = SellerFactory()
    line = make_order(lines=[(make_offer(seller=seller, variant=VariantFactory()), 10000)]).seller_orders.get()
    line = deliver(line.lines.get())
    delivered = line.delivered_at.date()
    run_day = next(
        delivered + dt.timedelta(days=n) for n in range(14, 40) if (delivered + dt.timedelta(days=n)).day in (6, 16, 26)
    )
    at(monkeypatch, run_day)

    assert run_payout_jobs() == (1, 1)
    state = (LedgerTransaction.objects.count(), LineRelease.objects.count(), Payout.objects.count())
    assert run_payout_jobs() == (0, 0)
    at(monkeypatch, run_day + dt.timedelta(days=1))  # the next day: the date is done, nothing more
    assert run_payout_jobs() == (0, 0)

    assert (LedgerTransaction.objects.count(), LineRelease.objects.count(), Payout.objects.count()) == state
    payout = Payout.objects.get()
    assert (payout.run_date, payout.amount, payout.status) == (run_day, 9000, "paid")
