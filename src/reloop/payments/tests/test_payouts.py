"""Payouts: the hold after delivery, releases, payout runs on the schedule, refunds after a payout, the checks."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.core.money import Money
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.services import transition_line
from reloop.payments import services
from reloop.payments.checks import run_checks
from reloop.payments.errors import UnknownLine
from reloop.payments.models import LedgerTransaction, LineRefund, LineRelease, Payout, PayoutRun, PayoutStatus
from reloop.payments.providers.payouts import PayoutResult
from reloop.payments.selectors import balance, payout_statement, seller_payout_balances
from reloop.payments.tests.factories import deliver, make_order, refund_line
from reloop.sellers.tests.factories import SellerApplicationFactory, SellerFactory

pytestmark = pytest.mark.django_db
GBP = "GBP"
IBAN = "FR1420041010050500013M02606"


def held(seller) -> int:
    """What the platform owes the seller on hold, in the seller's terms (positive = owed)."""
    return -balance(f"seller:{seller.pk}:payable", GBP).amount


def available(seller) -> int:
    return -balance(f"seller:{seller.pk}:available", GBP).amount


def ledger_passes() -> bool:
    out = StringIO()
    call_command("check_ledger", stdout=out)
    return f"All {len(run_checks())} ledger checks passed." in out.getvalue()


def one_line_sale(seller, price=10000, shipping=0):
    """A paid order of one line from ``seller``; returns the line (10% commission)."""
    order = make_order(lines=[(make_offer(seller=seller, variant=VariantFactory()), price)], shipping=shipping)
    return order.seller_orders.get().lines.get()


def delivered_day(line) -> dt.date:
    line.refresh_from_db()
    return line.delivered_at.astimezone(dt.UTC).date()


def return_and_refund(line, *, gross, commission_back):
    for state in (LineState.RETURN_REQUESTED, LineState.RETURNED, LineState.REFUNDED):
        transition_line(line_id=line.pk, to_state=state, actor=None, actor_kind="system")
    return refund_line(line, gross=gross, commission_back=commission_back)


@pytest.fixture
def seller():
    return SellerFactory(name="Second Wind")


class TestHold:
    def test_a_line_is_held_13_days_after_delivery_and_released_on_the_14th(self, seller):
        line = deliver(one_line_sale(seller))
        day = delivered_day(line)

        assert services.release_matured_lines(today=day + dt.timedelta(days=13)) == 0
        assert (held(seller), available(seller)) == (9000, 0)

        assert services.release_matured_lines(today=day + dt.timedelta(days=14)) == 1
        assert (held(seller), available(seller)) == (0, 9000)
        release = LineRelease.objects.get()
        assert (release.line_id, release.amount, release.released_on) == (line.pk, 9000, day + dt.timedelta(days=14))
        assert release.transaction.kind == "release"
        assert release.transaction.idempotency_key == f"line:{line.pk}:release"
        assert ledger_passes()

    def test_the_hold_length_is_configurable(self, seller, settings):
        settings.RELOOP_PAYOUT_HOLD_DAYS = 3
        line = deliver(one_line_sale(seller))
        day = delivered_day(line)
        assert services.release_matured_lines(today=day + dt.timedelta(days=2)) == 0
        assert services.release_matured_lines(today=day + dt.timedelta(days=3)) == 1

    def test_running_the_release_twice_releases_once(self, seller):
        line = deliver(one_line_sale(seller))
        later = delivered_day(line) + dt.timedelta(days=20)
        assert services.release_matured_lines(today=later) == 1
        transactions = LedgerTransaction.objects.count()

        assert services.release_matured_lines(today=later) == 0
        assert services.release_matured_lines(today=later + dt.timedelta(days=1)) == 0
        assert (LedgerTransaction.objects.count(), LineRelease.objects.count(), available(seller)) == (
            transactions,
            1,
            9000,
        )

    def test_undelivered_lines_and_returns_in_progress_stay_on_hold(self, seller):
        waiting = one_line_sale(seller)  # paid, never delivered
        returning = deliver(one_line_sale(seller, price=20000))
        transition_line(line_id=returning.pk, to_state=LineState.RETURN_REQUESTED, actor=None, actor_kind="buyer")
        later = delivered_day(returning) + dt.timedelta(days=30)

        assert services.release_matured_lines(today=later) == 0
        assert (held(seller), available(seller)) == (9000 + 18000, 0)

        # The return is refused: the line is delivered again and its money is released at the next run
        transition_line(line_id=returning.pk, to_state=LineState.DELIVERED, actor=None, actor_kind="operator")
        assert services.release_matured_lines(today=later) == 1
        assert (held(seller), available(seller)) == (9000, 18000)
        assert not LineRelease.objects.filter(line=waiting).exists()

    def test_the_last_line_of_a_seller_order_takes_the_shipping_with_it(self, seller):
        offers = [make_offer(seller=seller, variant=VariantFactory()) for _ in range(2)]
        order = make_order(lines=[(offers[0], 10000), (offers[1], 5005)], shipping=499)  # commission 1000+501+50
        first, second = order.seller_orders.get().lines.order_by("pk")
        deliver(first)
        later = delivered_day(first) + dt.timedelta(days=14)

        assert services.release_matured_lines(today=later) == 1  # the second line is not delivered yet
        assert (held(seller), available(seller)) == (4504 + 449, 9000)

        deliver(second)
        assert services.release_matured_lines(today=delivered_day(second) + dt.timedelta(days=14)) == 1
        assert (held(seller), available(seller)) == (0, 9000 + 4504 + 449)
        assert list(LineRelease.objects.order_by("pk").values_list("amount", flat=True)) == [9000, 4953]
        assert ledger_passes()


class TestRefunds:
    def test_a_refund_before_the_hold_ends_comes_from_the_hold_and_shrinks_the_release(self, seller):
        line = deliver(one_line_sale(seller))
        refund_line(line, gross=3000, commission_back=300)  # a partial refund while the line is on hold

        assert (held(seller), available(seller)) == (6300, 0)
        assert LineRefund.objects.get().from_available is False
        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))
        assert (held(seller), available(seller)) == (0, 6300)
        assert LineRelease.objects.get().amount == 6300
        assert ledger_passes()

    def test_a_refund_recorded_without_its_line_before_the_release_is_still_counted(self, seller):
        line = deliver(one_line_sale(seller))
        part = line.seller_order
        services.record_refund(  # as a caller that does not pass the line would
            key="no-line",
            reference=f"order:{part.order.number}",
            seller_id=seller.pk,
            gross=Money(4000, GBP),
            commission=Money(400, GBP),
        )
        for state in (LineState.RETURN_REQUESTED, LineState.RETURNED, LineState.REFUNDED):
            transition_line(line_id=line.pk, to_state=state, actor=None, actor_kind="system")

        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))

        assert LineRelease.objects.get().amount == 5400
        assert (held(seller), available(seller)) == (0, 5400)
        assert ledger_passes()

    def test_a_refund_after_release_comes_from_the_available_balance(self, seller):
        line = deliver(one_line_sale(seller))
        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))

        return_and_refund(line, gross=10000, commission_back=1000)

        assert (held(seller), available(seller)) == (0, 0)
        assert LineRefund.objects.get().from_available is True
        assert ledger_passes()

    def test_a_replayed_refund_keeps_the_account_it_first_took_from(self, seller):
        line = deliver(one_line_sale(seller))
        first = refund_line(line, gross=1000, commission_back=100, key="refund-1")
        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))

        again = refund_line(line, gross=1000, commission_back=100, key="refund-1")

        assert again.pk == first.pk
        assert LineRefund.objects.count() == 1
        assert (held(seller), available(seller)) == (0, 8100)

    def test_a_refund_naming_another_sellers_line_is_refused_and_writes_nothing(self, seller):
        line = one_line_sale(SellerFactory())
        transactions = LedgerTransaction.objects.count()
        with pytest.raises(UnknownLine):
            services.record_refund(
                key="wrong",
                reference="order:x",
                seller_id=seller.pk,
                gross=Money(100, GBP),
                commission=Money(10, GBP),
                line_id=line.pk,
            )
        assert (LedgerTransaction.objects.count(), LineRefund.objects.count()) == (transactions, 0)

    def test_a_cancellation_before_shipping_leaves_nothing_to_release(self, seller):
        line = one_line_sale(seller)
        transition_line(line_id=line.pk, to_state=LineState.CANCELLED, actor=None, actor_kind="seller")
        part = line.seller_order
        services.record_cancellation(
            key=f"line:{line.pk}:cancel",
            reference="order:x",
            seller_id=seller.pk,
            gross=Money(10000, GBP),
            commission=Money(1000, GBP),
            line_id=line.pk,
        )
        assert services.release_matured_lines(today=dt.date(2099, 1, 1)) == 0
        assert (held(seller), available(seller), part.pk) == (0, 0, line.seller_order_id)
        assert ledger_passes()


class TestPayoutRuns:
    def test_a_run_pays_each_seller_its_available_balance_once(self, seller):
        other = SellerFactory()
        SellerApplicationFactory(
            seller=other, status="approved", decided_at=timezone.now(), decided_by=UserFactory(), iban=IBAN
        )
        lines = [deliver(one_line_sale(seller)), deliver(one_line_sale(other, price=5000))]
        services.release_matured_lines(today=delivered_day(lines[0]) + dt.timedelta(days=14))
        run_date = dt.date(2026, 12, 16)

        assert services.run_payouts(run_date=run_date) == 2
        assert services.run_payouts(run_date=run_date) == 0

        payouts = {p.seller_id: p for p in Payout.objects.select_related("transaction")}
        assert {k: (p.amount, p.status, p.run_date) for k, p in payouts.items()} == {
            seller.pk: (9000, PayoutStatus.PAID, run_date),
            other.pk: (4500, PayoutStatus.PAID, run_date),
        }
        assert payouts[other.pk].destination == "FR•• •••• 2606"
        assert payouts[seller.pk].destination == ""  # no application with a bank account
        assert payouts[seller.pk].provider_reference.startswith("po_test_")
        assert sorted(
            (p.account.code, p.amount) for p in payouts[seller.pk].transaction.postings.select_related("account")
        ) == [("psp:payouts", -9000), (f"seller:{seller.pk}:available", 9000)]
        assert (available(seller), available(other)) == (0, 0)
        assert PayoutRun.objects.get().finished_at is not None
        assert ledger_passes()

    def test_nothing_is_paid_to_a_seller_with_nothing_available(self, seller):
        deliver(one_line_sale(seller))  # still on hold
        assert services.run_payouts(run_date=dt.date(2026, 12, 6)) == 0
        assert Payout.objects.count() == 0
        assert PayoutRun.objects.get().finished_at is not None

    def test_a_refund_after_payout_leaves_a_debt_recovered_from_the_next_payout(self, seller):
        # Given a line delivered, released and paid out
        sold = deliver(one_line_sale(seller))
        services.release_matured_lines(today=delivered_day(sold) + dt.timedelta(days=14))
        services.run_payouts(run_date=dt.date(2026, 12, 6))
        assert available(seller) == 0

        # When the buyer returns it and is refunded in full
        return_and_refund(sold, gross=10000, commission_back=1000)

        # Then the seller owes the net of the line; the next run pays nothing
        assert available(seller) == -9000
        assert ledger_passes()
        assert services.run_payouts(run_date=dt.date(2026, 12, 16)) == 0

        # And the next sale's money first pays the debt back
        later = deliver(one_line_sale(seller, price=30000))
        services.release_matured_lines(today=delivered_day(later) + dt.timedelta(days=14))
        assert available(seller) == 27000 - 9000
        assert services.run_payouts(run_date=dt.date(2026, 12, 26)) == 1
        payout = Payout.objects.get(run_date=dt.date(2026, 12, 26))
        assert payout.amount == 18000
        assert available(seller) == 0
        statement = payout_statement(seller=seller, payout_id=payout.pk)
        assert [r.line_id for r in statement.releases] == [later.pk]
        assert [r.line_id for r in statement.refunds] == [sold.pk]
        assert (statement.released, statement.refunded, statement.brought_forward) == (
            Money(27000, GBP),
            Money(9000, GBP),
            Money(0, GBP),
        )
        assert ledger_passes()

    def test_a_failed_payout_is_reversed_and_paid_at_the_next_run(self, seller, monkeypatch):
        class Refusing:
            name = "test"

            def send_payout(self, **kwargs):
                return PayoutResult(ok=False, message="Account closed")

        line = deliver(one_line_sale(seller))
        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))
        monkeypatch.setattr(services, "get_payout_provider", lambda name=None: Refusing())

        services.run_payouts(run_date=dt.date(2026, 12, 6))

        failed = Payout.objects.get()
        assert (failed.status, failed.failure_reason, failed.reversal.kind) == (
            PayoutStatus.FAILED,
            "Account closed",
            "payout",
        )
        assert available(seller) == 9000
        assert balance("psp:payouts", GBP) == Money(0, GBP)
        assert ledger_passes()

        monkeypatch.undo()
        services.run_payouts(run_date=dt.date(2026, 12, 16))
        paid = Payout.objects.get(run_date=dt.date(2026, 12, 16))
        assert (paid.status, paid.amount, available(seller)) == (PayoutStatus.PAID, 9000, 0)
        statement = payout_statement(seller=seller, payout_id=paid.pk)
        assert (statement.released, statement.brought_forward) == (Money(0, GBP), Money(9000, GBP))
        assert ledger_passes()


class TestSchedule:
    @pytest.fixture
    def owed(self, seller):
        line = deliver(one_line_sale(seller))
        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))
        return line

    def test_the_job_runs_the_latest_scheduled_date_once(self, owed):
        assert services.run_due_payouts(today=dt.date(2026, 12, 15)) == 1  # the run of the 6th
        assert services.run_due_payouts(today=dt.date(2026, 12, 15)) == 0
        assert list(Payout.objects.values_list("run_date", flat=True)) == [dt.date(2026, 12, 6)]
        assert list(PayoutRun.objects.values_list("run_date", flat=True)) == [dt.date(2026, 12, 6)]

    def test_a_missed_run_is_caught_up_under_its_own_date_and_never_twice(self, seller, owed):
        # The job did not run on the 16th (server down); on the 18th it pays the run of the 16th
        assert services.run_due_payouts(today=dt.date(2026, 12, 18)) == 1
        more = deliver(one_line_sale(seller, price=5000))
        services.release_matured_lines(today=delivered_day(more) + dt.timedelta(days=14))

        # The new money waits for the 26th: the 16th is done even though the job runs again before then
        assert services.run_due_payouts(today=dt.date(2026, 12, 20)) == 0
        assert services.run_due_payouts(today=dt.date(2027, 1, 7)) == 1  # 26 Dec missed too: 6 Jan pays it all
        assert list(Payout.objects.order_by("run_date").values_list("run_date", "amount")) == [
            (dt.date(2026, 12, 16), 9000),
            (dt.date(2027, 1, 6), 4500),
        ]

    def test_run_days_past_a_month_end_run_on_its_last_day(self, settings, owed):
        settings.RELOOP_PAYOUT_DAYS = "15,31"
        assert services.run_due_payouts(today=dt.date(2027, 2, 28)) == 1
        assert Payout.objects.get().run_date == dt.date(2027, 2, 28)


class TestSellerBalance:
    def test_balances_show_on_hold_available_and_the_next_payout_estimate(self, seller):
        # Wednesday 10 March 2027 is not a payout day (the 6th, 16th, 26th): the next run is on the 16th.
        with clock.frozen_at(dt.datetime(2027, 3, 10, 10, tzinfo=dt.UTC)):
            released = deliver(one_line_sale(seller))
            services.release_matured_lines(today=delivered_day(released) + dt.timedelta(days=14))
            deliver(one_line_sale(seller, price=20000))  # delivered today: its hold ends after the next run
            today = delivered_day(released)

            (gbp,) = seller_payout_balances(seller=seller, today=today)

        assert (gbp.on_hold, gbp.available) == (Money(18000, GBP), Money(9000, GBP))
        assert gbp.next_run_date == dt.date(2027, 3, 16)
        assert gbp.estimated_next == Money(9000, GBP)  # the 18000 delivered today is still held on the 16th

    def test_on_a_payout_day_before_its_run_the_next_payout_is_today(self, seller):
        with clock.frozen_at(dt.datetime(2027, 3, 16, 7, tzinfo=dt.UTC)):
            released = deliver(one_line_sale(seller))
            services.release_matured_lines(today=delivered_day(released) + dt.timedelta(days=14))

            (before_run,) = seller_payout_balances(seller=seller, today=dt.date(2027, 3, 16))
            services.run_payouts(run_date=dt.date(2027, 3, 16))
            (after_run,) = seller_payout_balances(seller=seller, today=dt.date(2027, 3, 16))

        assert (before_run.next_run_date, before_run.estimated_next) == (dt.date(2027, 3, 16), Money(9000, GBP))
        assert (after_run.next_run_date, after_run.available) == (dt.date(2027, 3, 26), Money(0, GBP))


class TestChecks:
    def test_a_payout_changed_behind_the_ledger_fails_the_check(self, seller):
        line = deliver(one_line_sale(seller))
        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))
        services.run_payouts(run_date=dt.date(2026, 12, 6))
        payout = Payout.objects.get()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE payments_payout SET amount = amount * 2 WHERE id = %s", [payout.pk])

        failed = {r.name: r for r in run_checks() if not r.ok}

        assert set(failed) == {"each payout equals its ledger transaction (debit of the seller's available balance)"}
        assert failed[
            "each payout equals its ledger transaction (debit of the seller's available balance)"
        ].offenders == (f"payout {payout.pk} (18000 vs 9000 posted)",)

    def test_a_release_larger_than_the_sale_fails_the_check(self, seller):
        line = deliver(one_line_sale(seller))
        services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))
        release = LineRelease.objects.get()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE payments_posting SET amount = amount * 2 WHERE transaction_id = %s", [release.transaction_id]
            )
        names = {r.name for r in run_checks() if not r.ok}
        assert "each release equals its ledger transaction" in names
        assert "seller money on hold (seller:<id>:payable) ≤ 0 (never released or refunded more than was held)" in names


def _in_threads(*targets) -> list[Exception]:
    """Run ``targets`` at once (a barrier), each on its own connection; the exceptions they raised."""
    barrier = threading.Barrier(len(targets))
    errors: list[Exception] = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_payout_runs_for_one_date_pay_once():
    """Four workers run the same payout date at once against PostgreSQL: one payout, one ledger transaction."""
    seller = SellerFactory()
    line = deliver(one_line_sale(seller))
    services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))

    errors = _in_threads(*[lambda: services.run_payouts(run_date=dt.date(2026, 12, 16))] * 4)

    assert errors == []
    assert list(Payout.objects.values_list("amount", "status")) == [(9000, PayoutStatus.PAID)]
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1
    assert available(seller) == 0
    assert ledger_passes()


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_refund_racing_the_release_of_its_line_takes_from_the_right_account():
    """A release and a refund of the same line at once: the line lock orders them, the hold never goes wrong."""
    seller = SellerFactory()
    line = deliver(one_line_sale(seller))
    day = delivered_day(line) + dt.timedelta(days=14)

    errors = _in_threads(
        lambda: services.release_matured_lines(today=day),
        lambda: refund_line(line, gross=4000, commission_back=400, key="racing-refund"),
    )

    assert errors == []
    assert (held(seller), available(seller)) == (0, 5400)
    assert ledger_passes()


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_release_jobs_release_each_line_once():
    seller = SellerFactory()
    lines = [deliver(one_line_sale(seller, price=1000 * n)) for n in range(1, 6)]
    day = delivered_day(lines[0]) + dt.timedelta(days=14)

    errors = _in_threads(*[lambda: services.release_matured_lines(today=day)] * 3)

    assert errors == []
    assert LineRelease.objects.count() == 5
    assert (held(seller), available(seller)) == (0, 900 * 15)
    assert ledger_passes()


def test_on_a_payout_day_the_next_payout_is_today_until_the_run_finished(seller):
    line = deliver(one_line_sale(seller))
    services.release_matured_lines(today=delivered_day(line) + dt.timedelta(days=14))
    run_day = dt.date(2027, 1, 16)

    (before,) = seller_payout_balances(seller=seller, today=run_day)
    services.run_payouts(run_date=run_day)
    (after,) = seller_payout_balances(seller=seller, today=run_day)

    assert (before.next_run_date, before.estimated_next) == (run_day, Money(9000, GBP))
    assert (after.next_run_date, after.estimated_next) == (dt.date(2027, 1, 26), Money(0, GBP))
