"""The offline TestProvider: test cards, Luhn, idempotent calls kept in the database, refund limits."""

from __future__ import annotations

import inspect
import threading

import pytest
from django.db import connections

from reloop.core.money import Money
from reloop.payments.errors import (
    CaptureRefused,
    ChargeNotFound,
    IdempotencyMismatch,
    InvalidCard,
    RefundExceedsCaptured,
    UnknownPaymentProvider,
)
from reloop.payments.models import ChargeStatus, TestCharge, TestRefund
from reloop.payments.providers import AuthorizationStatus, PaymentProvider, get_provider
from reloop.payments.providers.testing import TestProvider

EUR = Money(10000, "EUR")


def test_the_test_provider_honours_the_protocol():
    provider = TestProvider()
    assert isinstance(provider, PaymentProvider)
    # runtime_checkable only checks that the methods exist: compare the keyword-only parameters too
    for name in ("authorize", "capture", "refund", "verify_webhook"):
        expected = inspect.signature(getattr(PaymentProvider, name)).parameters
        actual = inspect.signature(getattr(provider, name)).parameters
        assert [(p.name, p.kind) for p in actual.values()] == [
            (p.name, p.kind) for p in expected.values() if p.name != "self"
        ], name


def test_the_provider_is_chosen_by_setting(settings):
    assert isinstance(get_provider(), TestProvider)
    settings.RELOOP_PAYMENT_PROVIDER = "stripe"
    with pytest.raises(UnknownPaymentProvider) as excinfo:
        get_provider()
    assert excinfo.value.code == "unknown_payment_provider"
    assert isinstance(get_provider("test"), TestProvider)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("card", "status", "message"),
    [
        ("4242 4242 4242 4242", AuthorizationStatus.AUTHORIZED, "Payment authorized."),
        ("4000 0000 0000 0002", AuthorizationStatus.DECLINED, "Your card was declined."),
        ("4000-0000-0000-9995", AuthorizationStatus.INSUFFICIENT_FUNDS, "Your card has insufficient funds."),
        ("5555555555554444", AuthorizationStatus.AUTHORIZED, "Payment authorized."),  # any Luhn-valid number
    ],
)
def test_test_cards(card, status, message):
    answer = TestProvider().authorize(amount=EUR, card_number=card, idempotency_key="pay-1")

    assert answer.status is status
    assert answer.ok is (status is AuthorizationStatus.AUTHORIZED)
    assert answer.message == message
    assert answer.amount == EUR
    charge = TestCharge.objects.get()
    assert (charge.reference, charge.status, charge.card_last4) == (answer.reference, status.value, card[-4:])


@pytest.mark.django_db
@pytest.mark.parametrize("card", ["4242 4242 4242 4241", "1234", "4242-abcd-4242-4242", ""])
def test_an_invalid_card_number_is_refused_and_nothing_is_recorded(card):
    with pytest.raises(InvalidCard) as excinfo:
        TestProvider().authorize(amount=EUR, card_number=card, idempotency_key="pay-1")
    assert excinfo.value.code == "invalid_card_number"
    assert TestCharge.objects.count() == 0


@pytest.mark.django_db
def test_a_retried_authorization_returns_the_same_answer_and_charges_once():
    provider = TestProvider()
    first = provider.authorize(amount=EUR, card_number="4242424242424242", idempotency_key="pay-1")
    # another process (a new provider instance) retries with the same key
    again = TestProvider().authorize(amount=EUR, card_number="4242 4242 4242 4242", idempotency_key="pay-1")

    assert again == first
    assert TestCharge.objects.count() == 1
    with pytest.raises(IdempotencyMismatch):
        provider.authorize(amount=Money(10001, "EUR"), card_number="4242424242424242", idempotency_key="pay-1")
    with pytest.raises(IdempotencyMismatch):
        provider.authorize(amount=EUR, card_number="5555555555554444", idempotency_key="pay-1")
    assert TestCharge.objects.count() == 1


@pytest.mark.django_db
def test_a_declined_retry_stays_declined():
    provider = TestProvider()
    first = provider.authorize(amount=EUR, card_number="4000000000000002", idempotency_key="pay-1")
    assert provider.authorize(amount=EUR, card_number="4000000000000002", idempotency_key="pay-1") == first
    with pytest.raises(CaptureRefused) as excinfo:
        provider.capture(reference=first.reference, amount=EUR, idempotency_key="cap-1")
    assert excinfo.value.code == "not_authorized"


@pytest.mark.django_db
def test_capture_is_idempotent_and_happens_once():
    provider = TestProvider()
    auth = provider.authorize(amount=EUR, card_number="4242424242424242", idempotency_key="pay-1")

    first = provider.capture(reference=auth.reference, amount=Money(8000, "EUR"), idempotency_key="cap-1")
    again = provider.capture(reference=auth.reference, amount=Money(8000, "EUR"), idempotency_key="cap-1")

    assert first == again
    charge = TestCharge.objects.get()
    assert (charge.status, charge.captured_amount) == (ChargeStatus.CAPTURED, 8000)
    with pytest.raises(CaptureRefused) as excinfo:
        provider.capture(reference=auth.reference, amount=Money(2000, "EUR"), idempotency_key="cap-2")
    assert excinfo.value.code == "already_captured"
    with pytest.raises(IdempotencyMismatch):
        provider.capture(reference=auth.reference, amount=Money(7000, "EUR"), idempotency_key="cap-1")
    charge.refresh_from_db()
    assert charge.captured_amount == 8000


@pytest.mark.django_db
def test_capture_is_refused_above_the_authorized_amount_or_for_an_unknown_charge():
    provider = TestProvider()
    auth = provider.authorize(amount=EUR, card_number="4242424242424242", idempotency_key="pay-1")
    with pytest.raises(CaptureRefused):
        provider.capture(reference=auth.reference, amount=Money(10001, "EUR"), idempotency_key="cap-1")
    with pytest.raises(CaptureRefused):
        provider.capture(reference=auth.reference, amount=Money(100, "GBP"), idempotency_key="cap-1")
    with pytest.raises(ChargeNotFound):
        provider.capture(reference="ch_missing", amount=EUR, idempotency_key="cap-1")
    assert TestCharge.objects.get().captured_amount == 0


@pytest.mark.django_db
def test_refunds_are_idempotent_and_never_exceed_what_was_captured():
    provider = TestProvider()
    auth = provider.authorize(amount=EUR, card_number="4242424242424242", idempotency_key="pay-1")
    provider.capture(reference=auth.reference, amount=Money(8000, "EUR"), idempotency_key="cap-1")

    first = provider.refund(reference=auth.reference, amount=Money(3000, "EUR"), idempotency_key="ref-1")
    again = provider.refund(reference=auth.reference, amount=Money(3000, "EUR"), idempotency_key="ref-1")

    assert again == first
    assert first.total_refunded == Money(3000, "EUR")
    assert TestRefund.objects.count() == 1
    charge = TestCharge.objects.get()
    assert (charge.refunded_amount, charge.status) == (3000, ChargeStatus.PARTIALLY_REFUNDED)

    with pytest.raises(RefundExceedsCaptured) as excinfo:
        provider.refund(reference=auth.reference, amount=Money(5001, "EUR"), idempotency_key="ref-2")
    assert excinfo.value.code == "refund_exceeds_captured"
    assert "50.00 EUR is left to refund" in excinfo.value.message
    assert TestRefund.objects.count() == 1  # the refused refund left no trace

    last = provider.refund(reference=auth.reference, amount=Money(5000, "EUR"), idempotency_key="ref-2")
    assert last.total_refunded == Money(8000, "EUR")
    charge.refresh_from_db()
    assert (charge.refunded_amount, charge.status) == (8000, ChargeStatus.REFUNDED)
    with pytest.raises(RefundExceedsCaptured):
        provider.refund(reference=auth.reference, amount=Money(1, "EUR"), idempotency_key="ref-3")
    with pytest.raises(IdempotencyMismatch):
        provider.refund(reference=auth.reference, amount=Money(2999, "EUR"), idempotency_key="ref-1")


@pytest.mark.django_db
def test_an_uncaptured_charge_cannot_be_refunded():
    provider = TestProvider()
    auth = provider.authorize(amount=EUR, card_number="4242424242424242", idempotency_key="pay-1")
    with pytest.raises(RefundExceedsCaptured):
        provider.refund(reference=auth.reference, amount=Money(1, "EUR"), idempotency_key="ref-1")
    assert TestRefund.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_what_was_captured():
    """Eight threads each refund 20.00 of a 100.00 capture at once, under different keys: exactly five succeed."""
    provider = TestProvider()
    auth = provider.authorize(amount=EUR, card_number="4242424242424242", idempotency_key="pay-1")
    provider.capture(reference=auth.reference, amount=EUR, idempotency_key="cap-1")
    barrier = threading.Barrier(8)
    outcomes = []

    def refund(n):
        try:
            barrier.wait()
            TestProvider().refund(reference=auth.reference, amount=Money(2000, "EUR"), idempotency_key=f"ref-{n}")
            outcomes.append("refunded")
        except RefundExceedsCaptured:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refunded"] * 5 + ["refused"] * 3
    charge = TestCharge.objects.get()
    assert (charge.refunded_amount, charge.status) == (10000, ChargeStatus.REFUNDED)
    assert TestRefund.objects.count() == 5
