"""The trade-in's steps through the real services: money, checks, SLA jobs, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales.errors import InvalidPhoto
from reloop.aftersales.services import Photo
from reloop.buyback import selectors, services
from reloop.buyback.domain import Escalation, State
from reloop.buyback.errors import (
    CheckFailed,
    InvalidTradeIn,
    NoQuote,
    QuoteNotFound,
    TradeInNotFound,
    TradeInStateConflict,
)
from reloop.buyback.models import TradeIn, TradeInEvent
from reloop.buyback.tests.factories import FLAWLESS, JPEG, NOW, accepted_tradein, bid, phone
from reloop.core import clock
from reloop.devices.checks import TEST_IMEIS
from reloop.devices.errors import InvalidUnit
from reloop.devices.models import BlockedDevice, DeviceEvent
from reloop.devices.tests.factories import BAD_IMEI, imei
from reloop.payments import domain as ledger
from reloop.payments.checks import failed, run_checks
from reloop.payments.models import LedgerTransaction, Posting
from reloop.sellers.models import Standing
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
STOLEN = next(code for code, (status, _) in TEST_IMEIS.items() if status == "blocklisted")


def at(days: float = 0):
    return clock.frozen_at(NOW + dt.timedelta(days=days))


def balance(code: str, currency: str = "GBP") -> int:
    return sum(Posting.objects.filter(account__code=code, currency=currency).values_list("amount", flat=True))


def received(tradein, unit: str | None = None, days: float = 1):
    with at(days):
        return services.receive_tradein(
            actor=None, seller=tradein.seller, number=tradein.number, identifier=unit or imei(tradein.pk)
        )


# --- Quotes ------------------------------------------------------------------------------------------------


def test_the_quote_is_the_best_eligible_bid_and_binding_for_seven_days():
    variant = phone()
    best, other, suspended, capped = (SellerFactory() for _ in range(4))
    suspended.standing = Standing.SUSPENDED
    suspended.save()
    capped.capped_on = NOW.date()
    capped.save()
    with at():
        bid(best, variant, 21000)
        bid(other, variant, 20000)
        bid(suspended, variant, 99000)
        bid(capped, variant, 98000)
        quote = services.get_quote(actor=None, variant_id=variant.pk, market="en-gb", answers=FLAWLESS)
    assert (quote.seller, quote.amount, quote.condition) == (best, 21000, "flawless")
    assert quote.expires_at == NOW + dt.timedelta(days=7)


def test_no_bid_no_quote_and_a_locked_device_is_refused():
    variant = phone()
    with at(), pytest.raises(NoQuote):
        services.get_quote(actor=None, variant_id=variant.pk, market="en-gb", answers=FLAWLESS)
    from dataclasses import replace

    with at(), pytest.raises(InvalidTradeIn) as error:
        services.get_quote(
            actor=None, variant_id=variant.pk, market="en-gb", answers=replace(FLAWLESS, accounts_removed=False)
        )
    assert error.value.code == "account_lock"


def test_bids_refuse_bad_input_and_an_upsert_twice_changes_nothing():
    variant, seller = phone(), SellerFactory()
    with at():
        first = bid(seller, variant, 100)
        again = bid(seller, variant, 100)
        assert first.pk == again.pk
        for kwargs, code in (
            ({"price": 0}, "invalid_price"),
            ({"condition": "mint"}, "invalid_condition"),
            ({"variant_id": 999_999}, "unknown_variant"),
        ):
            args = {"variant_id": variant.pk, "condition": "good", "market": "en-gb", "price": 100} | kwargs
            with pytest.raises(InvalidTradeIn) as error:
                services.set_bid(actor=None, seller=seller, **args)
            assert error.value.code == code


def test_the_bid_csv_is_checked_whole_before_anything_is_written():
    variant, seller = phone(), SellerFactory()
    good = f"variant_id,condition,market,price\n{variant.pk},flawless,en-gb,210.50\n{variant.pk},cracked,fr-fr,80\n"
    bad = good + f"{variant.pk},mint,en-gb,10\n"
    with at():
        with pytest.raises(InvalidTradeIn) as error:
            services.import_bids(actor=None, seller=seller, content=bad.encode())
        assert "Line 4" in error.value.message
        assert seller.tradein_bids.count() == 0
        result = services.import_bids(actor=None, seller=seller, content=good.encode())
        assert (result.created, result.updated) == (2, 0)
        assert services.import_bids(actor=None, seller=seller, content=good.encode()).created == 0
    prices = dict(seller.tradein_bids.values_list("market", "price"))
    assert prices == {"en-gb": 21050, "fr-fr": 8000}


def test_seller_bids_show_rank_and_price_to_win_without_naming_rivals():
    variant = phone()
    mine, rival = SellerFactory(), SellerFactory()
    with at():
        bid(mine, variant, 18000)
        bid(rival, variant, 20000)
    (row,) = selectors.seller_bids(seller=mine)
    # same score, and my bid is the older one: matching the best price wins the tie
    assert (row.rank, row.competitors, row.best_price, row.price_to_win) == (2, 1, 20000, 20000)


# --- The journey and the money -----------------------------------------------------------------------------


def test_validated_trade_in_pays_reloop_credit_and_the_ledger_balances():
    tradein = accepted_tradein(price=20000)
    assert tradein.state == State.AWAITING_SHIPMENT
    assert tradein.label_tracking.startswith("TI")
    assert tradein.ship_by == NOW + dt.timedelta(days=21)
    with at(0.5):
        services.mark_shipped(actor=tradein.customer, number=tradein.number)
    received(tradein)
    with at(2):
        paid = services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
    assert paid.state == State.PAID
    assert (paid.agreed_amount, paid.fee_amount) == (20000, 2000)
    assert balance(ledger.customer_credit(tradein.customer_id)) == -20000
    assert balance(ledger.seller_available(tradein.seller_id)) == 22000  # the refurbisher owes us
    assert balance(ledger.PLATFORM_TRADEIN_FEES) == -2000
    assert selectors.credit_balance(customer=tradein.customer, currency="GBP") == 20000
    assert failed(run_checks()) == []
    # the passport starts at intake
    assert list(DeviceEvent.objects.values_list("kind", flat=True)) == ["traded_in"]
    assert DeviceEvent.objects.get().details == {"condition": "flawless", "checks": "passed"}


def test_bank_transfer_goes_through_the_payout_provider_once():
    tradein = accepted_tradein(method="bank")
    assert tradein.iban == "GB82WEST12345698765432"
    received(tradein)
    with at(2):
        paid = services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
        again = services.pay_tradein(tradein_id=paid.pk)
    assert paid.state == again.state == State.PAID
    assert paid.payout_reference.startswith("po_test_")
    assert balance(ledger.customer_payable(tradein.customer_id)) == 0
    assert balance(ledger.PSP_PAYOUTS) == -20000
    assert LedgerTransaction.objects.filter(reference=f"tradein:{tradein.number}").count() == 2
    assert failed(run_checks()) == []


def test_a_bad_iban_is_refused_and_nothing_is_saved():
    variant, customer = phone(), UserFactory()
    with at():
        bid(SellerFactory(), variant)
        quote = services.get_quote(actor=customer, variant_id=variant.pk, market="en-gb", answers=FLAWLESS)
        with pytest.raises(InvalidTradeIn) as error:
            services.accept_quote(
                actor=customer,
                quote_id=str(quote.public_id),
                payout_method="bank",
                iban="GB82 WEST 1234 5698 7654 33",
                account_holder="Ada",
            )
    assert error.value.code == "invalid_iban"
    assert TradeIn.objects.count() == 0


def test_accepting_twice_gives_one_trade_in_and_another_customer_cannot_take_the_quote():
    variant, customer = phone(), UserFactory()
    with at():
        bid(SellerFactory(), variant)
        quote = services.get_quote(actor=customer, variant_id=variant.pk, market="en-gb", answers=FLAWLESS)
        first = services.accept_quote(actor=customer, quote_id=str(quote.public_id), payout_method="credit")
        second = services.accept_quote(actor=customer, quote_id=str(quote.public_id), payout_method="credit")
        assert first.pk == second.pk
        with pytest.raises(QuoteNotFound):
            services.accept_quote(actor=UserFactory(), quote_id=str(quote.public_id), payout_method="credit")


def test_an_expired_quote_cannot_be_accepted():
    variant, customer = phone(), UserFactory()
    with at():
        bid(SellerFactory(), variant)
        quote = services.get_quote(actor=customer, variant_id=variant.pk, market="en-gb", answers=FLAWLESS)
    with at(7), pytest.raises(InvalidTradeIn) as error:
        services.accept_quote(actor=customer, quote_id=str(quote.public_id), payout_method="credit")
    assert error.value.code == "quote_expired"


def test_counter_offer_accepted_pays_the_new_amount_with_photos():
    tradein = accepted_tradein(price=20000)
    received(tradein)
    with at(2):
        services.counter_offer(
            actor=None,
            seller=tradein.seller,
            number=tradein.number,
            condition_found="cracked",
            amount=9000,
            reason="The back glass is cracked",
            photos=[Photo("back.jpg", JPEG)],
        )
        paid = services.answer_counter_offer(actor=tradein.customer, number=tradein.number, accept=True)
    assert (paid.state, paid.agreed_amount, paid.fee_amount, paid.condition_found) == (State.PAID, 9000, 900, "cracked")
    assert tradein.photos.get().content_type == "image/jpeg"
    assert balance(ledger.customer_credit(tradein.customer_id)) == -9000
    assert failed(run_checks()) == []


def test_counter_offer_refused_sends_the_device_back_and_pays_nothing():
    tradein = accepted_tradein()
    received(tradein)
    with at(2):
        services.counter_offer(
            actor=None,
            seller=tradein.seller,
            number=tradein.number,
            condition_found="worn",
            amount=15000,
            reason="Deep scratches",
        )
        back = services.answer_counter_offer(actor=tradein.customer, number=tradein.number, accept=False)
        assert back.state == State.RETURNING
        with pytest.raises(TradeInStateConflict):
            services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
        done = services.return_device(
            actor=None,
            seller=tradein.seller,
            number=tradein.number,
            carrier="royal_mail",
            tracking_number="RM123456789GB",
        )
    assert done.state == State.RETURNED
    assert done.agreed_amount is None
    assert not LedgerTransaction.objects.filter(reference=f"tradein:{tradein.number}").exists()


def test_counter_offer_input_is_checked():
    tradein = accepted_tradein(price=20000)
    received(tradein)
    with at(2):
        for kwargs, error_type in (
            ({"amount": 20000}, InvalidTradeIn),
            ({"reason": ""}, InvalidTradeIn),
            ({"condition_found": "mint"}, InvalidTradeIn),
            ({"photos": [Photo("x.jpg", b"%PDF-1.4 not an image")]}, InvalidPhoto),
        ):
            args = {"condition_found": "worn", "amount": 100, "reason": "scratches", "photos": []} | kwargs
            with pytest.raises(error_type):
                services.counter_offer(actor=None, seller=tradein.seller, number=tradein.number, **args)
    assert TradeIn.objects.get(pk=tradein.pk).state == State.RECEIVED


# --- Device checks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("blocked", ["test_imei", "local_blocklist"])
def test_a_blocklisted_imei_is_never_paid(blocked):
    tradein = accepted_tradein()
    unit = STOLEN
    if blocked == "local_blocklist":
        unit = imei(99)
        BlockedDevice.objects.create(identifier=unit, status="blocklisted", reason="Police request 123")
    held = received(tradein, unit)
    assert (held.state, held.escalation, held.check_status) == (State.BLOCKED, Escalation.CHECK_FAILED, "blocklisted")
    assert held in selectors.operator_queue()
    with at(2), pytest.raises((CheckFailed, TradeInStateConflict)):
        services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
    with at(2), pytest.raises((CheckFailed, TradeInStateConflict)):
        services.operator_decide(actor=UserFactory(is_staff=True), number=tradein.number, decision="validate")
    assert services.retry_tradein_payouts() == 0
    with at(3):
        services.operator_decide(actor=UserFactory(is_staff=True), number=tradein.number, decision="reject")
    assert TradeIn.objects.get(pk=tradein.pk).state == State.REJECTED
    assert not Posting.objects.exists()
    assert not DeviceEvent.objects.exists()


def test_a_wrong_check_digit_is_refused_with_nothing_written():
    tradein = accepted_tradein()
    with at(1), pytest.raises(InvalidUnit) as error:
        services.receive_tradein(actor=None, seller=tradein.seller, number=tradein.number, identifier=BAD_IMEI)
    assert error.value.code == "invalid_imei"
    assert TradeIn.objects.get(pk=tradein.pk).state == State.AWAITING_SHIPMENT


def test_the_operator_can_clear_a_failed_check_then_it_is_paid():
    tradein = accepted_tradein()
    received(tradein, TEST_IMEIS and next(c for c, (s, _) in TEST_IMEIS.items() if s == "locked"))
    staff = UserFactory(is_staff=True)
    with at(2):
        with pytest.raises(InvalidTradeIn):
            services.operator_decide(actor=staff, number=tradein.number, decision="clear_check")  # no reason
        services.operator_decide(actor=staff, number=tradein.number, decision="clear_check", note="Lock removed")
        paid = services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
    assert paid.state == State.PAID


# --- Jobs ----------------------------------------------------------------------------------------------------


def test_unshipped_trade_ins_expire_after_21_days_once():
    tradein = accepted_tradein()
    with at(20.9):
        assert services.expire_unshipped_tradeins() == 0
    with at(21):
        assert services.expire_unshipped_tradeins() == 1
        assert services.expire_unshipped_tradeins() == 0
        with pytest.raises(TradeInStateConflict):
            services.mark_shipped(actor=tradein.customer, number=tradein.number)
    assert TradeIn.objects.get(pk=tradein.pk).state == State.EXPIRED


def test_late_inspections_and_unanswered_counter_offers_escalate_once():
    late = accepted_tradein()
    received(late, days=0)  # Monday 09:00 → due Wednesday 09:00
    countered = accepted_tradein()
    received(countered, days=0)
    with at(1):
        services.counter_offer(
            actor=None,
            seller=countered.seller,
            number=countered.number,
            condition_found="worn",
            amount=100,
            reason="scratches",
        )
    with at(1.9):
        assert services.escalate_overdue_tradeins() == 0
    with at(2.1):
        assert services.escalate_overdue_tradeins() == 1
        assert services.escalate_overdue_tradeins() == 0
    with at(8.1):
        assert services.escalate_overdue_tradeins() == 1
        assert services.escalate_overdue_tradeins() == 0
    assert {t.number: t.escalation for t in selectors.operator_queue()} == {
        late.number: Escalation.LATE_INSPECTION,
        countered.number: Escalation.UNANSWERED_COUNTER,
    }
    assert TradeInEvent.objects.filter(note__startswith="escalated").count() == 2
    staff = UserFactory(is_staff=True)
    with at(9):
        services.operator_decide(actor=staff, number=late.number, decision="validate")
        services.operator_decide(actor=staff, number=countered.number, decision="send_back")
    assert list(selectors.operator_queue()) == []
    assert TradeIn.objects.get(pk=late.pk).state == State.PAID


def test_a_failed_bank_transfer_is_escalated_then_retried_by_the_job(monkeypatch):
    from reloop.payments.providers.payouts import PayoutResult, TestPayoutProvider

    tradein = accepted_tradein(method="bank")
    received(tradein)
    monkeypatch.setattr(TestPayoutProvider, "send_payout", lambda self, **kw: PayoutResult(ok=False, message="closed"))
    with at(2):
        stuck = services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
    assert (stuck.state, stuck.escalation) == (State.VALIDATED, Escalation.PAYOUT_FAILED)
    assert balance(ledger.customer_payable(tradein.customer_id)) == -20000  # owed, not sent
    monkeypatch.undo()
    with at(3):
        assert services.retry_tradein_payouts() == 1
        assert services.retry_tradein_payouts() == 0
    assert balance(ledger.customer_payable(tradein.customer_id)) == 0
    assert failed(run_checks()) == []


# --- Authorization at the service level ----------------------------------------------------------------------


def test_another_customer_or_refurbisher_cannot_touch_a_trade_in():
    tradein = accepted_tradein()
    with at(1):
        with pytest.raises(TradeInNotFound):
            services.mark_shipped(actor=UserFactory(), number=tradein.number)
        with pytest.raises(TradeInNotFound):
            services.receive_tradein(actor=None, seller=SellerFactory(), number=tradein.number, identifier=imei(1))
    with pytest.raises(TradeInNotFound):
        selectors.customer_tradein(customer=UserFactory(), number=tradein.number)
    with pytest.raises(TradeInNotFound):
        selectors.seller_tradein(seller=SellerFactory(), number=tradein.number)


def test_refurbishing_work_joins_the_passport_once_paid():
    tradein = accepted_tradein()
    received(tradein)
    with at(2):
        with pytest.raises(TradeInStateConflict):
            services.record_work(actor=None, seller=tradein.seller, number=tradein.number, details={})
        services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
        services.record_work(
            actor=None,
            seller=tradein.seller,
            number=tradein.number,
            details={
                "battery_health": 100,
                "battery_cycles": 0,
                "battery_replaced": True,
                "parts_replaced": ["battery"],
                "tests_passed": ["camera", "Face ID"],
                "erasure_certificate": "NIST-800-88-42",
            },
        )
        with pytest.raises(InvalidUnit):
            services.record_work(
                actor=None, seller=tradein.seller, number=tradein.number, details={"battery_health": 140}
            )
    from reloop.devices.selectors import passports

    tradein.refresh_from_db()
    entries = passports([tradein.device_id])[tradein.device_id]
    assert [e.kind for e in entries] == ["traded_in", "refurbished"]
    assert entries[1].details["erasure_certificate"] == "NIST-800-88-42"
    assert all(tradein.customer.email not in str(e) for e in entries)


# --- Refused steps through the services --------------------------------------------------------------------


def _in_state(state: str):
    """A trade-in brought to ``state`` through the services."""
    tradein = accepted_tradein()
    seller, customer, number = tradein.seller, tradein.customer, tradein.number
    with at(1):
        if state == State.SHIPPED:
            services.mark_shipped(actor=customer, number=number)
        if state in (State.RECEIVED, State.COUNTER_OFFERED, State.PAID, State.RETURNING):
            services.receive_tradein(actor=None, seller=seller, number=number, identifier=imei(tradein.pk))
        if state in (State.COUNTER_OFFERED, State.RETURNING):
            services.counter_offer(
                actor=None, seller=seller, number=number, condition_found="worn", amount=100, reason="scratches"
            )
        if state == State.RETURNING:
            services.answer_counter_offer(actor=customer, number=number, accept=False)
        if state == State.PAID:
            services.validate_tradein(actor=None, seller=seller, number=number)
    return TradeIn.objects.get(pk=tradein.pk)


STEPS = {
    "ship": lambda t: services.mark_shipped(actor=t.customer, number=t.number),
    "cancel": lambda t: services.cancel_tradein(actor=t.customer, number=t.number),
    "receive": lambda t: services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=imei(9)),
    "validate": lambda t: services.validate_tradein(actor=None, seller=t.seller, number=t.number),
    "counter": lambda t: services.counter_offer(
        actor=None, seller=t.seller, number=t.number, condition_found="worn", amount=50, reason="dents"
    ),
    "accept_counter": lambda t: services.answer_counter_offer(actor=t.customer, number=t.number, accept=True),
    "refuse_counter": lambda t: services.answer_counter_offer(actor=t.customer, number=t.number, accept=False),
    "return": lambda t: services.return_device(
        actor=None, seller=t.seller, number=t.number, carrier="royal_mail", tracking_number="RM1234GB"
    ),
}
ALLOWED_STEPS = {
    State.AWAITING_SHIPMENT: {"ship", "cancel", "receive"},
    State.SHIPPED: {"ship", "receive"},  # "ship" again is a double click: answered, nothing changes
    State.RECEIVED: {"validate", "counter"},
    State.COUNTER_OFFERED: {"accept_counter", "refuse_counter"},
    State.RETURNING: {"return"},
    State.PAID: set(),
}


@pytest.mark.parametrize("state", list(ALLOWED_STEPS))
def test_each_step_is_allowed_only_from_its_states(state):
    for step, call in STEPS.items():
        tradein = _in_state(state)
        assert tradein.state == state
        with at(2):
            if step in ALLOWED_STEPS[state]:
                call(tradein)
            else:
                with pytest.raises((TradeInStateConflict, CheckFailed)):
                    call(tradein)
                assert TradeIn.objects.get(pk=tradein.pk).state == state, step
    assert failed(run_checks()) == []
