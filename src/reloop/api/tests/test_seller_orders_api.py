"""Seller API orders: queues and filters, one order with what the seller needs to ship, accept, cancel, ship."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.api.tests.helpers import ADDRESS, call, placed_order, world_state
from reloop.devices.tests.factories import BAD_IMEI, IMEIS
from reloop.fulfillment.models import Shipment
from reloop.offers.models import Offer
from reloop.orders.domain import LineState
from reloop.orders.models import Order, OrderLine
from reloop.payments.models import TestCharge
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(client):
    seller = SellerFactory()
    offer, part, line = placed_order(seller=seller, quantity=2)
    _, key = create_seller_token(seller=seller, name="sync")
    return {"client": client, "seller": seller, "offer": offer, "part": part, "line": line, "key": key}


def _get(w, path):
    return call(w["client"], "get", path, w["key"])


def _post(w, path, body=None):
    return call(w["client"], "post", path, w["key"], body)


def _ship_body(w, identifiers=None, **changes):
    return {
        "carrier": "royal_mail",
        "tracking_number": "AB123456789GB",
        "units": [{"line_id": w["line"].pk, "identifiers": identifiers or [IMEIS[0], IMEIS[1]]}],
        **changes,
    }


# --- Reads --------------------------------------------------------------------------------------------------


def test_order_detail_gives_what_is_needed_to_ship(w):
    part, line = w["part"], w["line"]
    body = _get(w, f"/orders/{part.pk}").json()
    assert body["id"] == part.pk
    assert body["number"] == part.order.number
    assert (body["market"], body["currency"], body["queue"]) == ("en-gb", "GBP", "to_accept")
    assert body["total"] == part.total
    assert [(item["id"], item["quantity"], item["state"], item["sku"]) for item in body["lines"]] == [
        (line.pk, 2, "paid", line.sku)
    ]
    assert body["shipments"] == []
    assert body["shipping_address"] == {
        "full_name": "Ada Buyer",
        "line1": "1 High Street",
        "line2": "",
        "postal_code": "SW1A 1AA",
        "city": "London",
        "region": "",
        "country": "",
        "phone": ADDRESS["phone"],
    }
    assert "email" not in str(body)


def test_the_address_is_withheld_once_nothing_is_left_to_ship(w):
    _post(w, f"/orders/{w['part'].pk}/cancel", {"reason": "Out of stock after all"})
    body = _get(w, f"/orders/{w['part'].pk}").json()
    assert body["queue"] == "cancelled"
    assert body["shipping_address"] is None


def test_queues_filter_the_list(w):
    _, shipped_part, shipped_line = placed_order(seller=w["seller"])
    _post(
        w,
        f"/orders/{shipped_part.pk}/ship",
        {
            "carrier": "royal_mail",
            "tracking_number": "AB123456789GB",
            "units": [{"line_id": shipped_line.pk, "identifiers": [IMEIS[2]]}],
        },
    )

    def ids(query):
        return [item["id"] for item in _get(w, f"/orders?{query}").json()["items"]]

    assert ids("queue=to_accept") == [w["part"].pk]
    assert ids("queue=shipped") == [shipped_part.pk]
    assert ids("queue=to_ship") == []
    assert ids("queue=cancelled") == []
    assert set(ids("")) == {w["part"].pk, shipped_part.pk}
    assert ids("market=fr-fr") == []
    assert ids(f"number={w['part'].order.number}") == [w["part"].pk]
    later = (Order.objects.get(pk=shipped_part.order_id).paid_at + dt.timedelta(seconds=1)).isoformat()
    assert ids(f"since={later.replace('+', '%2B')}") == []
    assert set(ids("since=2000-01-01T00:00:00")) == {w["part"].pk, shipped_part.pk}  # no offset: read as UTC


@pytest.mark.parametrize(
    "query",
    [
        "queue=lost",
        "market=FRANCE",
        "since=yesterday",
        "since=9999-12-31T23:59:59-12:00",  # past year 9999 once in UTC
        "since=0001-01-01T00:00:00%2B14:00",  # before year 1 once in UTC
        "page=0",
        "page_size=1000",
        "number=" + "9" * 30,
    ],
)
def test_a_bad_filter_is_422_with_a_code(w, query):
    response = _get(w, f"/orders?{query}")
    assert response.status_code == 422
    assert response.json()["code"] in {"invalid_queue", "invalid_input"}


def _queries(w, path):
    with CaptureQueriesContext(connection) as ctx:
        assert _get(w, path).status_code == 200
    return len(ctx.captured_queries)


def test_the_order_list_query_count_does_not_grow_with_rows(w):
    _get(w, "/orders")  # the first call records the token's last use; later ones within a minute do not write
    one = _queries(w, "/orders")
    for _ in range(9):
        placed_order(seller=w["seller"])
    assert _get(w, "/orders").json()["count"] == 10
    ten = _queries(w, "/orders")
    # token, rate-limit counter, count, page (with its order), lines, shipments (none yet: no tracking events query)
    assert one == ten == 6


def test_the_order_list_query_count_does_not_grow_with_shipped_rows(w):
    def ship(part, line, n):
        from reloop.fulfillment.services import ship_seller_order

        ship_seller_order(
            actor=None,
            seller=w["seller"],
            seller_order_id=part.pk,
            carrier="royal_mail",
            tracking_number=f"AB{n:09d}GB",
            units={line.pk: [f"SERIAL{n:04d}A", f"SERIAL{n:04d}B"][: line.quantity]},
        )

    ship(w["part"], w["line"], 0)
    _get(w, "/orders")
    one = _queries(w, "/orders?queue=shipped")
    for n in range(1, 10):
        _, part, line = placed_order(seller=w["seller"])
        ship(part, line, n)
    assert _get(w, "/orders?queue=shipped").json()["count"] == 10
    ten = _queries(w, "/orders?queue=shipped")
    # token, rate-limit counter, count, page (with its order), lines, shipments, their tracking events
    assert one == ten == 7


# --- Accept, cancel, ship -----------------------------------------------------------------------------------


def test_accept(w):
    response = _post(w, f"/orders/{w['part'].pk}/accept")
    assert response.status_code == 200
    assert response.json()["queue"] == "to_ship"
    line = OrderLine.objects.get(pk=w["line"].pk)
    assert line.state == LineState.ACCEPTED
    assert line.events.filter(to_state="accepted", actor_kind="seller").count() == 1
    # accepting again with a new key is still fine and changes nothing
    before = world_state()
    assert _post(w, f"/orders/{w['part'].pk}/accept").status_code == 200
    assert world_state()["line_events"] == before["line_events"]


def test_cancel_gives_stock_and_money_back_once(w):
    stock = Offer.objects.get(pk=w["offer"].pk).stock
    response = _post(w, f"/orders/{w['part'].pk}/cancel", {"reason": "Failed final testing"})
    assert response.status_code == 200
    assert [line["state"] for line in response.json()["lines"]] == ["cancelled"]
    event = OrderLine.objects.get(pk=w["line"].pk).events.get(to_state="cancelled")
    assert (event.actor_kind, event.reason) == ("seller", "Failed final testing")
    assert Offer.objects.get(pk=w["offer"].pk).stock == stock + 2
    assert TestCharge.objects.get().refunded_amount == w["part"].total
    # a second cancel (new key) refunds nothing more
    ledger = world_state()["ledger"]
    assert _post(w, f"/orders/{w['part'].pk}/cancel", {"reason": "again"}).status_code == 200
    assert world_state()["ledger"] == ledger
    assert TestCharge.objects.get().refunded_amount == w["part"].total


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 301}, {"reason": "   "}])
def test_cancel_needs_a_reason(w, body):
    before = world_state()
    response = _post(w, f"/orders/{w['part'].pk}/cancel", body)
    assert response.status_code == 422
    assert response.json()["code"] in {"invalid_input", "invalid_reason"}
    assert world_state()["lines"] == before["lines"]


def test_ship(w):
    response = _post(w, f"/orders/{w['part'].pk}/ship", _ship_body(w))
    assert response.status_code == 200
    body = response.json()
    assert body["queue"] == "shipped"
    assert [line["state"] for line in body["lines"]] == ["shipped"]
    [shipment] = body["shipments"]
    assert (shipment["carrier"], shipment["tracking_number"]) == ("royal_mail", "AB123456789GB")
    assert shipment["units"] == {str(w["line"].pk): [IMEIS[0], IMEIS[1]]}
    assert Shipment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"carrier": "pigeon"}, "unknown_carrier"),
        ({"tracking_number": "#"}, "invalid_tracking_number"),
        ({"identifiers": [IMEIS[0], BAD_IMEI]}, "invalid_imei"),
        ({"identifiers": [IMEIS[0]]}, "wrong_unit_count"),
        ({"identifiers": [IMEIS[0], IMEIS[0]]}, None),
        ({"units": [{"line_id": 999_999, "identifiers": [IMEIS[0]]}]}, "unknown_line"),
    ],
)
def test_a_refused_shipment_is_422_and_ships_nothing(w, changes, code):
    identifiers = changes.pop("identifiers", None)
    before = world_state()
    response = _post(w, f"/orders/{w['part'].pk}/ship", _ship_body(w, identifiers, **changes))
    assert response.status_code == 422, response.content
    if code is not None:
        assert response.json()["code"] == code
    assert response.json()["code"]
    after = world_state()
    assert (after["lines"], after["shipments"]) == (before["lines"], before["shipments"])


def test_a_line_given_twice_is_422(w):
    body = _ship_body(w)
    body["units"] = body["units"] * 2
    response = _post(w, f"/orders/{w['part'].pk}/ship", body)
    assert response.status_code == 422
    assert response.json()["code"] == "duplicate_line"


def test_shipping_is_final(w):
    _post(w, f"/orders/{w['part'].pk}/ship", _ship_body(w))
    again = _post(w, f"/orders/{w['part'].pk}/ship", _ship_body(w, tracking_number="ZZ999999999GB"))
    assert again.status_code == 409
    assert again.json()["code"] == "already_shipped"
    assert list(Shipment.objects.values_list("tracking_number", flat=True)) == ["AB123456789GB"]
    # the exact same data with a new key is answered with the same shipment
    same = _post(w, f"/orders/{w['part'].pk}/ship", _ship_body(w))
    assert same.status_code == 200
    assert Shipment.objects.count() == 1


def test_a_cancelled_order_cannot_be_accepted_or_shipped(w):
    _post(w, f"/orders/{w['part'].pk}/cancel", {"reason": "Failed final testing"})
    accept = _post(w, f"/orders/{w['part'].pk}/accept")
    ship = _post(w, f"/orders/{w['part'].pk}/ship", _ship_body(w))
    assert (accept.status_code, accept.json()["code"]) == (409, "nothing_to_accept")
    assert 400 <= ship.status_code < 500
    assert Shipment.objects.count() == 0
