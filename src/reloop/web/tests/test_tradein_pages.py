"""Trade-in pages: the customer's journey over HTTP, the refurbisher's back office, the operator's queue, who may
see what (another customer, refurbisher A on B's trade-ins, non-staff), and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.buyback import services
from reloop.buyback.domain import State
from reloop.buyback.models import Quote, TradeIn
from reloop.buyback.tests.factories import JPEG, NOW, accepted_tradein, bid, phone
from reloop.core import clock
from reloop.devices.tests.factories import imei
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_staff_two_factor(settings):
    settings.RELOOP_STAFF_TWO_FACTOR = False


def at(days: float = 0):
    return clock.frozen_at(NOW + dt.timedelta(days=days))


def member_of(seller):
    return SellerMemberFactory.create(seller=seller).user


def staff(*codenames):
    person = UserFactory.create(is_staff=True)
    person.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return person


ANSWERS = {
    "powers_on": "yes",
    "all_functions_work": "yes",
    "screen": "flawless",
    "body": "light",
    "battery_health": "88",
    "accounts_removed": "yes",
    "carrier_unlocked": "yes",
}


def test_quote_accept_ship_counter_offer_accept_paid_over_http(client):
    variant = phone()
    seller = SellerFactory.create(name="Green Phones")
    refurbisher = member_of(seller)
    with at():
        bid(seller, variant, 18000, condition="good")
        start = client.get(reverse("web:tradein_start") + "?q=" + variant.product_model.name)
        assert variant.product_model.name in start.content.decode()
        page = client.post(
            reverse("web:tradein_model", kwargs={"model_slug": variant.product_model.slug}),
            ANSWERS | {"variant": variant.pk},
        )
        quote = Quote.objects.get()
        assert page.status_code == 302
        assert page["Location"].endswith(f"/{quote.public_id}/")
        offer = client.get(page["Location"]).content.decode()
        assert "Green Phones" in offer
        assert "180.00" in offer
        assert "Sign in" in offer
        customer = UserFactory.create()
        client.force_login(customer)
        bad = client.post(
            page["Location"], {"payout_method": "bank", "iban": "GB00 1234", "account_holder": "A", "packed": "on"}
        )
        assert "IBAN is not valid" in bad.content.decode()
        assert not TradeIn.objects.exists()
        done = client.post(page["Location"], {"payout_method": "credit", "packed": "on"})
        tradein = TradeIn.objects.get()
        assert done["Location"] == reverse("web:tradein", kwargs={"number": tradein.number})
        detail = client.get(done["Location"]).content.decode()
        assert tradein.label_tracking in detail
        assert "Pack and ship" in detail
        assert client.get(reverse("web:tradein_label", kwargs={"number": tradein.number})).status_code == 200
        client.post(done["Location"], {"action": "shipped"})
    client.force_login(refurbisher)
    seller_url = reverse("seller:tradein", kwargs={"number": tradein.number})
    with at(1):
        client.post(seller_url, {"action": "receive", "identifier": imei(5)})
        assert TradeIn.objects.get().state == State.RECEIVED
        client.post(
            seller_url,
            {
                "action": "counter",
                "condition_found": "worn",
                "amount": "120.00",
                "reason": "Deep scratch on the back",
                "photos": [_upload()],
            },
        )
    tradein.refresh_from_db()
    assert (tradein.state, tradein.counter_amount) == (State.COUNTER_OFFERED, 12000)
    client.force_login(customer)
    with at(2):
        page = client.get(done["Location"]).content.decode()
        assert "Deep scratch" in page
        assert "Accept the new offer" in page
        photo_url = reverse("web:tradein_photo", kwargs={"number": tradein.number, "photo_id": tradein.photos.get().pk})
        photo = client.get(photo_url)
        assert photo["Content-Type"] == "image/jpeg"
        assert "private" in photo["Cache-Control"]
        client.post(done["Location"], {"action": "accept_counter"})
    tradein.refresh_from_db()
    assert (tradein.state, tradein.agreed_amount) == (State.PAID, 12000)
    listing = client.get(reverse("web:tradeins")).content.decode()
    assert "120.00" in listing  # the Reloop credit


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scratch.jpg", JPEG, content_type="image/jpeg")


class TestAuthorization:
    def test_another_customer_gets_404_everywhere(self, client):
        tradein = accepted_tradein()
        client.force_login(UserFactory.create())
        for name in ("web:tradein", "web:tradein_label"):
            assert client.get(reverse(name, kwargs={"number": tradein.number})).status_code == 404
        assert (
            client.post(reverse("web:tradein", kwargs={"number": tradein.number}), {"action": "cancel"}).status_code
            == 404
        )
        assert client.get(reverse("web:tradein_quote", kwargs={"quote_id": tradein.quote.public_id})).status_code == 404
        assert TradeIn.objects.get().state == State.AWAITING_SHIPMENT

    def test_anonymous_visitors_sign_in(self, client):
        tradein = accepted_tradein()
        assert client.get(reverse("web:tradein", kwargs={"number": tradein.number})).status_code == 302
        assert client.get(reverse("web:tradeins")).status_code == 302

    def test_refurbisher_a_never_sees_b_s_trade_ins_or_bids(self, client):
        a, b = accepted_tradein(), accepted_tradein()
        client.force_login(member_of(b.seller))
        listing = client.get(reverse("seller:tradeins")).content.decode()
        assert b.number in listing
        assert a.number not in listing
        url_a = reverse("seller:tradein", kwargs={"number": a.number})
        assert client.get(url_a).status_code == 404
        assert client.post(url_a, {"action": "receive", "identifier": imei(1)}).status_code == 404
        assert client.post(url_a, {"action": "validate"}).status_code == 404
        bids = client.get(reverse("seller:tradein_bids")).content.decode()
        assert a.seller.name not in bids
        their_bid = a.seller.tradein_bids.get()
        client.post(reverse("seller:tradein_bids"), {"action": "delete", "bid": their_bid.pk})
        assert a.seller.tradein_bids.exists()
        assert TradeIn.objects.get(pk=a.pk).state == State.AWAITING_SHIPMENT

    def test_seller_pages_need_a_member_and_operator_pages_need_the_permission(self, client):
        tradein = accepted_tradein()
        client.force_login(tradein.customer)
        assert client.get(reverse("seller:tradeins")).status_code == 403
        assert client.get(reverse("operator:tradeins")).status_code == 403
        client.force_login(member_of(tradein.seller))
        assert client.get(reverse("operator:tradeins")).status_code == 403
        client.force_login(staff("view_tradein"))
        url = reverse("operator:tradein", kwargs={"number": tradein.number})
        assert client.get(url).status_code == 200
        assert client.post(url, {"decision": "reject"}).status_code == 403  # viewing is not deciding


def test_the_operator_queue_and_a_decision(client):
    from reloop.devices.checks import TEST_IMEIS

    tradein = accepted_tradein()
    stolen = next(code for code, (status, _) in TEST_IMEIS.items() if status == "blocklisted")
    with at(1):
        services.receive_tradein(actor=None, seller=tradein.seller, number=tradein.number, identifier=stolen)
    client.force_login(staff("view_tradein", "change_tradein"))
    queue = client.get(reverse("operator:tradeins")).content.decode()
    assert tradein.number in queue
    assert "Reported stolen" in queue
    with at(2):
        client.post(reverse("operator:tradein", kwargs={"number": tradein.number}), {"decision": "reject"})
    assert TradeIn.objects.get().state == State.REJECTED


def test_bids_page_shows_rank_and_price_to_win_and_imports_csv(client):
    variant = phone()
    mine, rival = SellerFactory.create(), SellerFactory.create()
    with at():
        bid(rival, variant, 20000)
    client.force_login(member_of(mine))
    with at(1):
        client.post(
            reverse("seller:tradein_bids"),
            {"action": "bid", "variant": variant.pk, "condition": "flawless", "market": "en-gb", "price": "150"},
        )
        page = client.get(reverse("seller:tradein_bids")).content.decode()
    assert "2 / 2" in page
    assert "£200.01" in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_file = SimpleUploadedFile(
        "b.csv", f"variant_id,condition,market,price\n{variant.pk},flawless,en-gb,201\n".encode()
    )
    with at(1):
        client.post(reverse("seller:tradein_bids"), {"action": "csv", "file": csv_file})
    assert mine.tradein_bids.get().price == 20100
    export = client.get(reverse("seller:tradein_bids_export")).content.decode()
    assert f"{variant.pk},flawless,en-gb,201.00" in export


def list_page_queries(client, count):
    """The queries of the customer's and the seller's trade-in pages, and the bids and start pages, for a customer
    and a seller with ``count`` accepted trade-ins."""
    seller = SellerFactory.create()
    customer = UserFactory.create()
    for _ in range(count):
        accepted_tradein(customer=customer, seller=seller)
    client.force_login(customer)
    customer_queries, _page = queries_for(client, reverse("web:tradeins"))
    client.force_login(member_of(seller))
    seller_queries, _page = queries_for(client, reverse("seller:tradeins"))
    bids_queries, _page = queries_for(client, reverse("seller:tradein_bids"))
    start_queries, _page = queries_for(client, reverse("web:tradein_start"))
    return (customer_queries, seller_queries, bids_queries, start_queries)


def test_list_pages_run_constant_queries(client):
    # Both sizes in one test: a value kept between two parametrized tests is lost when they run on two workers.
    assert list_page_queries(client, 10) == list_page_queries(client, 1)


@pytest.mark.parametrize(
    ("market", "heading", "condition"),
    [
        ("fr-fr", "Faites reprendre votre ancien appareil", "Écran fissuré"),
        ("de-de", "Verkaufen Sie Ihr altes Gerät", "Display gesprungen"),
        ("es-es", "Vende tu dispositivo antiguo", "Pantalla rota"),
        ("it-it", "Permuta il tuo vecchio dispositivo", "Schermo incrinato"),
    ],
)
def test_the_trade_in_pages_are_translated(client, market, heading, condition):
    from django.utils import translation

    with translation.override(market):
        start, conditions = reverse("web:tradein_start"), reverse("web:tradein_conditions")
    assert heading in client.get(start).content.decode()
    assert condition in client.get(conditions).content.decode()
