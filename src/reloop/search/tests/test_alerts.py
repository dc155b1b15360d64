"""Price alerts fire once when the buy box crosses the target, not on a rise, not twice; double opt-in;
unsubscribe without signing in; favourites."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.grading import Grade
from reloop.catalog.models import Variant
from reloop.catalog.tests.factories import make_models
from reloop.core.errors import InvalidInput, NotFound
from reloop.core.money import Money
from reloop.offers.services import set_offer_prices
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.search import alerts
from reloop.search.models import PriceAlert
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    make_models(1)
    variant = Variant.objects.order_by("pk").first()
    seller = SellerFactory(quality_score=100)
    o = make_offer(seller=seller, variant=variant, grade=Grade.GOOD, price=30000)
    refresh_buy_boxes(variant_ids=[variant.pk])
    return o


def _reprice(offer, amount):
    set_offer_prices(seller=offer.seller, offer_id=offer.pk, prices={"en-gb": Money(amount, "GBP")})
    refresh_buy_boxes(variant_ids=[offer.variant_id])


def _run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return alerts.send_price_alerts()


def test_fires_once_on_crossing_not_on_a_rise_not_twice(offer, django_capture_on_commit_callbacks):
    # Given a signed-in buyer's alert at £250 while the buy box is £300
    buyer = UserFactory(email="ana@example.com")
    alerts.create_price_alert(
        actor=buyer, email="", variant_id=offer.variant_id, grade="good", market="en-gb", target_price=25000
    )
    # When the job runs above the target: nothing
    assert _run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    # When the price rises: still nothing
    _reprice(offer, 32000)
    assert _run(django_capture_on_commit_callbacks) == 0
    # When it drops to the target: one email, with the price and an unsubscribe link
    _reprice(offer, 25000)
    assert _run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert "£250.00" in mail.outbox[0].body
    alert = PriceAlert.objects.get()
    assert "/alerts/stop/" + alert.unsubscribe_token in mail.outbox[0].body
    # When the job runs again, and the price drops further: no second email until re-armed
    assert _run(django_capture_on_commit_callbacks) == 0
    _reprice(offer, 20000)
    assert _run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    # When the buyer re-arms it: it fires again
    alerts.rearm_price_alert(actor=buyer, alert_id=alert.pk)
    assert _run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2


def test_anonymous_alert_waits_for_the_confirmed_address(offer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert = alerts.create_price_alert(
            actor=None,
            email=" Bob@Example.com ",
            variant_id=offer.variant_id,
            grade="",
            market="en-gb",
            target_price=40000,
        )
    assert alert.email == "bob@example.com"
    assert len(mail.outbox) == 1  # the confirmation, not the alert
    assert f"/alerts/confirm/{alert.confirm_token}/" in mail.outbox[0].body
    assert _run(django_capture_on_commit_callbacks) == 0  # below target, but not confirmed
    alerts.confirm_price_alert(token=alert.confirm_token)
    alerts.confirm_price_alert(token=alert.confirm_token)  # twice: no harm
    assert _run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2


def test_unsubscribed_alert_never_fires(offer, django_capture_on_commit_callbacks):
    buyer = UserFactory()
    alert = alerts.create_price_alert(
        actor=buyer, email="", variant_id=offer.variant_id, grade="", market="en-gb", target_price=40000
    )
    alerts.unsubscribe_price_alert(token=alert.unsubscribe_token)
    assert _run(django_capture_on_commit_callbacks) == 0
    with pytest.raises(NotFound):
        alerts.unsubscribe_price_alert(token="not-a-token")


@pytest.mark.parametrize(
    ("email", "grade", "market", "target"),
    [
        ("nope", "", "en-gb", 100),
        ("a@example.com", "mint", "en-gb", 100),
        ("a@example.com", "", "xx-xx", 100),
        ("a@example.com", "", "en-gb", 0),
    ],
)
def test_bad_alerts_are_refused_and_nothing_saved(offer, email, grade, market, target):
    with pytest.raises(InvalidInput):
        alerts.create_price_alert(
            actor=None, email=email, variant_id=offer.variant_id, grade=grade, market=market, target_price=target
        )
    assert not PriceAlert.objects.exists()


def test_rearm_only_own_alert(offer):
    owner, other = UserFactory(), UserFactory()
    alert = alerts.create_price_alert(
        actor=owner, email="", variant_id=offer.variant_id, grade="", market="en-gb", target_price=100
    )
    with pytest.raises(NotFound):
        alerts.rearm_price_alert(actor=other, alert_id=alert.pk)


def test_favourites_toggle_and_list_with_prices(offer):
    buyer = UserFactory()
    model_id = offer.variant.product_model_id
    assert alerts.toggle_favourite(actor=buyer, product_model_id=model_id) is True
    (line,) = alerts.favourites_of(user=buyer, market="en-gb")
    assert line.lowest_price == 30000
    assert alerts.toggle_favourite(actor=buyer, product_model_id=model_id) is False
    assert alerts.favourites_of(user=buyer, market="en-gb") == []


TRANSLATED = {
    # market: (words of the confirmation subject, words of the alert subject, words of the alert body)
    "fr-fr": ("Confirmez votre alerte prix", "est maintenant à", "Bonne nouvelle"),
    "de-de": ("Bestätigen Sie Ihren Preisalarm", "kostet jetzt", "Gute Nachricht"),
    "es-es": ("Confirme su alerta de precio", "está ahora a", "Buenas noticias"),
    "it-it": ("Conferma il tuo avviso di prezzo", "ora costa", "Buone notizie"),
}


@pytest.mark.parametrize("market", sorted(TRANSLATED))
def test_alert_emails_are_in_the_markets_language(market, django_capture_on_commit_callbacks):
    make_models(1)
    variant = Variant.objects.order_by("pk").first()
    o = make_offer(seller=SellerFactory(quality_score=100), variant=variant, market=market, currency="EUR", price=30000)
    refresh_buy_boxes(variant_ids=[o.variant_id])
    confirm_words, subject_words, body_words = TRANSLATED[market]
    with translation.override(market), django_capture_on_commit_callbacks(execute=True):
        alert = alerts.create_price_alert(
            actor=None, email="eve@example.com", variant_id=variant.pk, grade="", market=market, target_price=40000
        )
    assert confirm_words in mail.outbox[0].subject
    assert "Confirm this address" not in mail.outbox[0].body
    alerts.confirm_price_alert(token=alert.confirm_token)
    assert _run(django_capture_on_commit_callbacks) == 1
    fired = mail.outbox[1]
    assert subject_words in fired.subject
    assert body_words in fired.body
    assert "Good news" not in fired.body
    assert "Stop this alert" not in fired.body
    assert f"/{market}/" in fired.body  # the link goes to the market's own page
