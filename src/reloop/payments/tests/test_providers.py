"""The offline TestProvider: payments created by Reloop and confirmed on its page, test cards, 3-D Secure, instalments,
idempotent calls kept in the database, refund limits."""

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
    InvalidPaymentAmount,
    PaymentNotConfirmable,
    RefundExceedsCaptured,
    UnknownPaymentProvider,
)
from reloop.payments.models import ChargeStatus, TestCharge, TestRefund
from reloop.payments.providers import PaymentProvider, PaymentStatus, get_provider
from reloop.payments.providers.testing import TestProvider

EUR = Money(10000, "EUR")


def test_the_test_provider_honours_the_protocol():
    provider = TestProvider()
    assert isinstance(provider, PaymentProvider)
    # runtime_checkable only checks that the methods exist: compare the keyword-only parameters too
    for name in (
        "create_payment",
        "retrieve_payment",
        "capture",
        "cancel_payment",
        "refund",
        "verify_webhook",
        "recent_payments",
        "instalment_plans",
    ):
        expected = inspect.signature(getattr(PaymentProvider, name)).parameters
        actual = inspect.signature(getattr(provider, name)).parameters
        assert [(p.name, p.kind) for p in actual.values()] == [
            (p.name, p.kind) for p in expected.values() if p.name != "self"
        ], name


def test_the_provider_is_chosen_by_setting(settings):
    assert isinstance(get_provider(), TestProvider)
    settings.RELOOP_PAYMENT_PROVIDER = "paypal"
    with pytest.raises(UnknownPaymentProvider) as excinfo:
        get_provider()
    assert excinfo.value.code == "unknown_payment_provider"
    assert isinstance(get_provider("test"), TestProvider)


def authorized(provider: TestProvider, *, amount: Money = EUR, key: str = "pay-1", card: str = "4242424242424242"):
    """A payment created by Reloop and confirmed by the buyer on the provider's page."""
    payment = provider.create_payment(
        amount=amount, order_reference="RL-TEST", return_url="/back/", idempotency_key=key
    )
    return provider.confirm_with_card(reference=payment.reference, card=card)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("card", "status", "failure"),
    [
        ("4242 4242 4242 4242", PaymentStatus.AUTHORIZED, ""),
        ("4000 0027 6000 3184", PaymentStatus.REQUIRES_ACTION, ""),
        ("4000 0000 0000 0002", PaymentStatus.REQUIRES_PAYMENT, "card_declined"),  # waits for another card
        ("4000-0000-0000-9995", PaymentStatus.REQUIRES_PAYMENT, "insufficient_funds"),
        ("4000 0000 0000 9979", PaymentStatus.AUTHORIZED, ""),  # refused only for instalments
        ("5555555555554444", PaymentStatus.AUTHORIZED, ""),  # any Luhn-valid number
    ],
)
def test_test_cards(card, status, failure):
    answer = authorized(TestProvider(), card=card)

    assert (answer.status, answer.failure_code, answer.amount) == (status, failure, EUR)
    charge = TestCharge.objects.get()
    assert (charge.reference, charge.card_last4) == (answer.reference, card[-4:])


@pytest.mark.django_db
@pytest.mark.parametrize("card", ["4242 4242 4242 4241", "1234", "4242-abcd-4242-4242", ""])
def test_an_invalid_card_number_is_refused_on_the_page_and_the_payment_still_waits(card):
    provider = TestProvider()
    payment = provider.create_payment(amount=EUR, order_reference="RL-1", return_url="/b/", idempotency_key="pay-1")
    with pytest.raises(InvalidCard) as excinfo:
        provider.confirm_with_card(reference=payment.reference, card=card)
    assert excinfo.value.code == "invalid_card"
    assert provider.retrieve_payment(reference=payment.reference).status is PaymentStatus.REQUIRES_PAYMENT


@pytest.mark.django_db
def test_a_retried_creation_returns_the_same_payment_and_a_different_one_is_refused():
    first = TestProvider().create_payment(amount=EUR, order_reference="RL-1", return_url="/b/", idempotency_key="k")
    # another process (a new provider instance) retries with the same key
    again = TestProvider().create_payment(amount=EUR, order_reference="RL-1", return_url="/b/", idempotency_key="k")

    assert again.reference == first.reference
    assert TestCharge.objects.count() == 1
    with pytest.raises(IdempotencyMismatch):
        TestProvider().create_payment(
            amount=Money(10001, "EUR"), order_reference="RL-1", return_url="/b/", idempotency_key="k"
        )
    assert TestCharge.objects.count() == 1


@pytest.mark.django_db
def test_a_declined_payment_cannot_be_captured_and_takes_another_card_until_cancelled():
    provider = TestProvider()
    declined = authorized(provider, card="4000000000000002")
    with pytest.raises(CaptureRefused) as excinfo:
        provider.capture(reference=declined.reference, amount=EUR, idempotency_key="cap-1")
    assert excinfo.value.code == "not_authorized"
    again = provider.confirm_with_card(reference=declined.reference, card="4000000000009995")
    assert (again.status, again.failure_code) == (PaymentStatus.REQUIRES_PAYMENT, "insufficient_funds")
    provider.cancel_payment(reference=declined.reference, idempotency_key="void")
    with pytest.raises(PaymentNotConfirmable):
        provider.confirm_with_card(reference=declined.reference, card="4242424242424242")
    assert provider.retrieve_payment(reference=declined.reference).failure_code == "insufficient_funds"


@pytest.mark.django_db
def test_three_d_secure_passed_authorizes_and_failed_waits_for_another_card():
    provider = TestProvider()
    passed = authorized(provider, card="4000002760003184", key="a")
    failed = authorized(provider, card="4000002760003184", key="b")
    assert provider.authenticate(reference=passed.reference, passed=True).status is PaymentStatus.AUTHORIZED
    answer = provider.authenticate(reference=failed.reference, passed=False)
    assert (answer.status, answer.failure_code) == (PaymentStatus.REQUIRES_PAYMENT, "authentication_failed")
    with pytest.raises(PaymentNotConfirmable):
        provider.authenticate(reference=passed.reference, passed=True)


@pytest.mark.django_db
def test_cancel_voids_an_authorization_once_and_refuses_a_captured_payment():
    provider = TestProvider()
    payment = authorized(provider)
    assert provider.cancel_payment(reference=payment.reference, idempotency_key="c").status is PaymentStatus.CANCELED
    assert provider.cancel_payment(reference=payment.reference, idempotency_key="c").status is PaymentStatus.CANCELED
    with pytest.raises(CaptureRefused):
        provider.capture(reference=payment.reference, amount=EUR, idempotency_key="cap")
    captured = authorized(provider, key="pay-2")
    provider.capture(reference=captured.reference, amount=EUR, idempotency_key="cap-2")
    with pytest.raises(CaptureRefused) as excinfo:
        provider.cancel_payment(reference=captured.reference, idempotency_key="c2")
    assert excinfo.value.code == "already_captured"


@pytest.mark.django_db
def test_instalment_plans_are_offered_within_the_stated_limits_only():
    provider = TestProvider()
    plans = provider.instalment_plans(amount=Money(30399, "EUR"))
    assert [(p.count, p.first, p.even) for p in plans] == [
        (3, Money(10133, "EUR"), True),
        (4, Money(7600, "EUR"), False),
    ]
    assert provider.instalment_plans(amount=Money(9999, "EUR")) == []
    assert provider.instalment_plans(amount=Money(200001, "EUR")) == []
    assert provider.instalment_plans(amount=Money(30000, "SEK")) == []
    with pytest.raises(InvalidPaymentAmount):
        provider.create_payment(
            amount=Money(9999, "EUR"), order_reference="RL-1", return_url="/b/", idempotency_key="k", instalments=3
        )


@pytest.mark.django_db
def test_instalments_refused_for_the_documented_card():
    provider = TestProvider()
    payment = provider.create_payment(
        amount=Money(30000, "EUR"), order_reference="RL-1", return_url="/b/", idempotency_key="k", instalments=3
    )
    answer = provider.confirm_with_card(reference=payment.reference, card="4000000000009979")
    assert (answer.status, answer.failure_code, answer.instalments) == (
        PaymentStatus.REQUIRES_PAYMENT,
        "instalments_refused",
        3,
    )


@pytest.mark.django_db
def test_capture_is_idempotent_and_happens_once():
    provider = TestProvider()
    auth = authorized(provider)

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
    auth = authorized(provider)
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
    auth = authorized(provider)
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
    auth = authorized(provider)
    with pytest.raises(RefundExceedsCaptured):
        provider.refund(reference=auth.reference, amount=Money(1, "EUR"), idempotency_key="ref-1")
    assert TestRefund.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_what_was_captured():
    """Eight threads each refund 20.00 of a 100.00 capture at once, under different keys: exactly five succeed."""
    provider = TestProvider()
    auth = authorized(provider)
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
