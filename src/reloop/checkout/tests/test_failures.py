"""Why a checkout failed: a code on the order, put into words in the viewer's language when shown; the rows written
as English text before the codes are read as codes by migration 0004."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from reloop.checkout.failures import failure_code, failure_message
from reloop.checkout.tests.factories import cart_with
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderStatus
from reloop.sellers.tests.factories import SellerFactory


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("card_declined", "card_declined"),
        ("Insufficient_Funds", "insufficient_funds"),
        ("authentication_failed", "authentication_failed"),
        ("", "payment_failed"),
        ("Your card was declined.", "payment_failed"),  # text is not a code
        ("x" * 201, "payment_failed"),
        ("do_not_honor", "do_not_honor"),  # a network's code Reloop has no words for is kept
    ],
)
def test_a_providers_code_is_stored_as_a_code(given, stored):
    assert failure_code(given) == stored


@pytest.mark.parametrize(
    ("language", "code", "words"),
    [
        ("en", "abandoned", "You left the payment page without paying."),
        ("fr", "abandoned", "Vous avez quitté la page de paiement sans payer."),
        ("de", "reservation_expired", "Ihre Reservierung ist abgelaufen, bevor die Zahlung durchging."),
        ("es", "expired_card", "Tu tarjeta ha caducado."),
        ("it", "card_declined", "La Sua carta è stata rifiutata."),
        ("fr", "some_new_code", "Le paiement n'a pas abouti."),  # unknown: the generic words
        ("de", "", "Die Zahlung ist nicht durchgegangen."),
    ],
)
def test_a_code_is_told_in_the_viewers_language(language, code, words):
    with translation.override(language):
        assert failure_message(code) == words


@pytest.mark.django_db
def test_the_migration_reads_the_old_english_reasons_as_codes():
    from reloop.accounts.tests.factories import UserFactory
    from reloop.catalog.tests.factories import VariantFactory
    from reloop.checkout.services import Checkout, start_checkout
    from reloop.checkout.tests.factories import ADDRESS

    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=10000, stock=9)
    texts = {
        "reservation expired before payment": "reservation_expired",
        "You left the payment page without paying": "abandoned",
        "Your card has insufficient funds.": "insufficient_funds",
        "Votre carte a été refusée.": "payment_failed",  # settled in another language: no code to read
        "": "",
    }
    for n, text in enumerate(texts):
        buyer = UserFactory()
        order = start_checkout(
            checkout=Checkout(
                buyer=buyer,
                cart=cart_with(buyer=buyer, items=[(offer, 1)]),
                shipping_address=ADDRESS,
                shipping={},
                idempotency_key=f"legacy-{n}",
            )
        ).order
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAYMENT_FAILED, failure_reason=text)

    migration = importlib.import_module("reloop.checkout.migrations.0004_failure_reasons_as_codes")
    migration.to_codes(apps, None)

    got = dict(Order.objects.order_by("pk").values_list("idempotency_key", "failure_reason"))
    assert got == {f"legacy-{n}": code for n, code in enumerate(texts.values())}


@pytest.mark.parametrize(
    ("language", "outcomes"),
    [
        ("fr", ["autorisé", "refusé", "provision insuffisante"]),
        ("de", ["autorisiert", "abgelehnt", "nicht ausreichend gedeckt"]),
        ("es", ["autorizado", "rechazado", "fondos insuficientes"]),
        ("it", ["autorizzato", "rifiutato", "fondi insufficienti"]),
    ],
)
def test_the_test_providers_card_list_is_translated(language, outcomes):
    from reloop.payments.providers.testing import TEST_CARDS

    with translation.override(language):
        labels = [str(outcome) for _, outcome in TEST_CARDS]
    assert [labels[0], labels[2], labels[3]] == outcomes
    with translation.override("en"):
        english = [str(outcome) for _, outcome in TEST_CARDS]
    assert not set(labels) & set(english)  # all five translated


def test_pages_render_the_code_in_their_own_language():
    from django.template import Context, Template

    page = Template("{% load checkout_failures %}{{ reason|failure_message }}")
    with translation.override("fr"):
        assert page.render(Context({"reason": "card_declined"})) == "Votre carte a été refusée."
    with translation.override("en"):
        assert page.render(Context({"reason": ""})) == "The payment did not go through."


@pytest.mark.django_db
def test_the_same_checkout_sent_again_after_a_decline_says_why_in_words():
    from reloop.accounts.tests.factories import UserFactory
    from reloop.catalog.tests.factories import VariantFactory
    from reloop.checkout.errors import PaymentDeclined
    from reloop.checkout.services import Checkout
    from reloop.checkout.test_provider_buyer import pay_with_test_card
    from reloop.checkout.tests.factories import ADDRESS
    from reloop.payments.providers.testing import CARD_DECLINED

    buyer = UserFactory()
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=10000, stock=2)
    attempt = Checkout(
        buyer=buyer,
        cart=cart_with(buyer=buyer, items=[(offer, 1)]),
        shipping_address=ADDRESS,
        shipping={},
        idempotency_key="declined-once",
    )
    with pytest.raises(PaymentDeclined):
        pay_with_test_card(checkout=attempt, card=CARD_DECLINED)  # declined, then back at the shop
    with translation.override("fr"), pytest.raises(PaymentDeclined) as again:
        pay_with_test_card(checkout=attempt)  # the form sent again: the same closed order
    assert again.value.message == "Votre carte a été refusée."
    assert Order.objects.get().failure_reason == "card_declined"
