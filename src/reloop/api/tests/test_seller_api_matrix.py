"""The seller API over EVERY route: authorization matrix, standing policy, idempotent replay of every write,
key reuse, and garbage bodies (always a 4xx with a code, never a 5xx, nothing changed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from reloop.accounts.tests.factories import UserFactory
from reloop.api.tests.helpers import call, placed_order, world_state
from reloop.catalog.tests.factories import VariantFactory
from reloop.devices.tests.factories import IMEIS
from reloop.sellers.models import SellerToken, Standing
from reloop.sellers.services import create_seller_token, revoke_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {offer} and {order} are the caller's own (or another seller's) ids
    ok: int  # the status for the owner, with the body below
    kind: str  # read | offer_write | order_write
    body: Any = None  # a dict, or a callable of the world for bodies that name line ids

    def url(self, offer: int, order: int) -> str:
        return self.path.format(offer=offer, order=order)

    def payload(self, w: dict[str, Any], side: str = "a") -> Any:
        return self.body(w, side) if callable(self.body) else self.body

    @property
    def one_object(self) -> bool:
        return "{" in self.path


def _create_body(w, side):
    return {
        "sku": f"NEW-{side}",
        "variant_id": w["variant"].pk,
        "grade": "excellent",
        "stock": 3,
        "prices": [{"market": "en-gb", "amount": 25900}],
    }


def _ship_body(w, side):
    return {
        "carrier": "royal_mail",
        "tracking_number": "AB123456789GB",
        "units": [{"line_id": w[f"{side}_line"].pk, "identifiers": [IMEIS[0]]}],
    }


ROUTES = [
    Route("get", "/offers", 200, "read"),
    Route("get", "/offers/{offer}", 200, "read"),
    Route("get", "/offers/{offer}/competition", 200, "read"),
    Route("get", "/competition", 200, "read"),
    Route("get", "/orders", 200, "read"),
    Route("get", "/orders/{order}", 200, "read"),
    Route("post", "/offers", 201, "offer_write", _create_body),
    Route("patch", "/offers/{offer}", 200, "offer_write", {"warranty_months": 24, "active": False}),
    Route("put", "/offers/{offer}/prices/fr-fr", 200, "offer_write", {"amount": 31900}),
    Route("delete", "/offers/{offer}/prices/en-gb", 200, "offer_write"),
    Route("post", "/offers/{offer}/stock", 200, "offer_write", {"delta": -1}),
    Route("post", "/orders/{order}/accept", 200, "order_write"),
    Route("post", "/orders/{order}/cancel", 200, "order_write", {"reason": "Failed final testing"}),
    Route("post", "/orders/{order}/ship", 200, "order_write", _ship_body),
]
#: One field changed per route: the same key with this body names a different request
ANOTHER_BODY = {
    "/offers": {"sku": "NEW-other"},
    "/offers/{offer}": {"warranty_months": 36},
    "/offers/{offer}/prices/fr-fr": {"amount": 30900},
    "/offers/{offer}/stock": {"delta": -2},
    "/orders/{order}/cancel": {"reason": "Another reason"},
    "/orders/{order}/ship": {"tracking_number": "ZZ999999999GB"},
}
WRITES = [r for r in ROUTES if r.kind != "read"]
WITH_BODY = [r for r in WRITES if r.body is not None]
ONE_OBJECT = [r for r in ROUTES if r.one_object]


def _id(route: Route) -> str:
    return f"{route.method.upper()} {route.path}"


@pytest.fixture
def w():
    """Sellers A and B, each with an offer and a paid order of another offer; A has a token."""
    a, b = SellerFactory(slug="seller-a"), SellerFactory(slug="seller-b")
    a_offer, a_part, a_line = placed_order(seller=a)
    b_offer, b_part, b_line = placed_order(seller=b)
    _, a_key = create_seller_token(seller=a, name="sync")
    return {
        "a": a,
        "b": b,
        "a_key": a_key,
        "a_offer": a_offer,
        "b_offer": b_offer,
        "a_order": a_part,
        "b_order": b_part,
        "a_line": a_line,
        "b_line": b_line,
        "variant": VariantFactory(),
    }


def _send(client, route: Route, w, key, *, side="a", **kwargs):
    url = route.url(w[f"{side}_offer"].pk, w[f"{side}_order"].pk)
    return call(client, route.method, url, key, route.payload(w, "a"), **kwargs)


# --- Authentication -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=_id)
@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer ", "Basic YTpi", "Token {key}", "Bearer {key}x", "Bearer rlp_0000_nothing"]
)
def test_no_malformed_or_unknown_token_is_401_and_changes_nothing(client, w, route, header):
    before = world_state()
    headers = {} if header is None else {"HTTP_AUTHORIZATION": header.format(key=w["a_key"])}
    response = _send(client, route, w, None, **headers)
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": "Authentication required", "details": None}
    assert world_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_a_revoked_token_is_401_and_changes_nothing(client, w, route):
    revoke_seller_token(seller=w["a"], token_id=SellerToken.objects.get(seller=w["a"]).pk)
    before = world_state()
    response = _send(client, route, w, w["a_key"])
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert world_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_a_logged_in_session_is_not_a_token(w, route):
    # given the seller's own owner, logged in to the back office, and a staff user: the API takes tokens only
    for user in (UserFactory(), UserFactory(is_staff=True, is_superuser=True)):
        client = Client()
        client.force_login(user)
        before = world_state()
        assert _send(client, route, w, None).status_code == 401
        assert world_state() == before


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_the_owner_gets_its_answer(client, w, route):
    response = _send(client, route, w, w["a_key"])
    assert response.status_code == route.ok, response.content


# --- Another seller's data ---------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ONE_OBJECT, ids=_id)
def test_another_sellers_offer_or_order_is_404_like_a_missing_one_and_untouched(client, w, route):
    before = world_state()
    other = call(client, route.method, route.url(w["b_offer"].pk, w["b_order"].pk), w["a_key"], route.payload(w, "b"))
    missing = call(client, route.method, route.url(999_999, 999_999), w["a_key"], route.payload(w, "b"))
    assert (other.status_code, missing.status_code) == (404, 404)
    assert other.json()["code"] == missing.json()["code"]
    assert other.json()["code"] in {"offer_not_found", "order_not_found"}
    after = world_state()
    # B's data is untouched; only A's idempotency records of the two refused calls were written
    assert {k: v for k, v in after.items() if k != "idempotency_records"} == {
        k: v for k, v in before.items() if k != "idempotency_records"
    }


@pytest.mark.parametrize("path", ["/offers", "/competition", "/orders"])
def test_lists_hold_only_the_sellers_own_rows(client, w, path):
    items = call(client, "get", path, w["a_key"]).json()["items"]
    ids = {item["offer_id"] if "offer_id" in item else item["id"] for item in items}
    expected = {w["a_order"].pk} if path == "/orders" else {w["a_offer"].pk}
    assert ids == expected


# --- Standing policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_a_suspended_seller_reads_and_handles_orders_but_cannot_change_offers(client, w, route):
    w["a"].standing = Standing.SUSPENDED
    w["a"].save(update_fields=["standing"])
    before = world_state()
    response = _send(client, route, w, w["a_key"])
    if route.kind == "offer_write":
        assert response.status_code == 403
        assert response.json()["code"] == "seller_suspended"
        after = world_state()
        assert after["offers"] == before["offers"]
        assert after["prices"] == before["prices"]
    else:
        assert response.status_code == route.ok


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_a_pending_sellers_token_is_refused_everywhere(client, w, route):
    w["a"].standing = Standing.PENDING
    w["a"].save(update_fields=["standing"])
    before = world_state()
    response = _send(client, route, w, w["a_key"])
    assert response.status_code == 403
    assert response.json()["code"] == "seller_not_approved"
    assert world_state() == before


# --- Idempotency over every write --------------------------------------------------------------------------


@pytest.mark.parametrize("route", WRITES, ids=_id)
def test_replaying_every_write_returns_the_first_answer_and_changes_nothing_more(client, w, route):
    first = _send(client, route, w, w["a_key"], idem="same-key")
    assert first.status_code == route.ok, first.content
    after_first = world_state()
    replay = _send(client, route, w, w["a_key"], idem="same-key")
    assert replay.status_code == first.status_code
    assert replay.content == first.content
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert world_state() == after_first


@pytest.mark.parametrize("route", WITH_BODY, ids=_id)
def test_reusing_a_key_with_another_body_is_422_and_changes_nothing(client, w, route):
    _send(client, route, w, w["a_key"], idem="same-key")
    before = world_state()
    url = route.url(w["a_offer"].pk, w["a_order"].pk)
    other_body = {**route.payload(w), **ANOTHER_BODY[route.path]}
    response = call(client, route.method, url, w["a_key"], other_body, idem="same-key")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert world_state() == before


@pytest.mark.parametrize("route", [r for r in WRITES if r.method == "post"], ids=_id)
def test_every_post_requires_a_key(client, w, route):
    before = world_state()
    response = _send(client, route, w, w["a_key"], idem=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert world_state() == before


# --- Garbage in: a 4xx with a code, never a 5xx ------------------------------------------------------------

GARBAGE = [
    "not json",
    "{",
    "[]",
    "null",
    "42",
    '"a string"',
    '{"stock": "many", "delta": [], "amount": {}, "reason": 7, "units": "all", "sku": null, "grade": 1}',
    '{"amount": 1e400, "delta": 99999999999999999999999, "stock": -1, "units": [{"line_id": "x"}]}',
    '{"units": [{"line_id": 1, "identifiers": [null, 5]}], "carrier": "", "tracking_number": ""}',
    '{"prices": [{"market": "xx-xx", "amount": -5}], "variant_id": 0, "warranty_months": -3}',
    "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
    "[" * 5000 + "]" * 5000,
]


@pytest.mark.parametrize("route", WITH_BODY, ids=_id)
@pytest.mark.parametrize("raw", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_bodies_are_4xx_with_a_code_and_change_nothing(w, route, raw):
    client = Client(raise_request_exception=False)
    before = world_state()
    response = _send(client, route, w, w["a_key"], raw=raw)
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert body["code"]
    assert body["message"]
    after = world_state()
    assert {k: v for k, v in after.items() if k != "idempotency_records"} == {
        k: v for k, v in before.items() if k != "idempotency_records"
    }


@pytest.mark.parametrize(
    "path",
    ["/offers/abc", "/orders/abc", "/offers/1.5/stock", "/orders/-1/accept", "/offers/1/prices/" + "x" * 600],
)
def test_a_junk_path_parameter_is_a_4xx(client, w, path):
    method = "get" if path.count("/") == 2 else "put" if "prices" in path else "post"
    response = call(Client(raise_request_exception=False), method, path, w["a_key"], {"amount": 100})
    assert 400 <= response.status_code < 500


NUL_REQUESTS = [
    ("post", "/orders/{order}/cancel", {"reason": "bad\u0000unit"}),
    ("post", "/offers", {"sku": "N\u00001", "variant_id": 1, "grade": "fair", "stock": 1}),
    ("post", "/offers/bulk", {"items": [{"sku": "N\u00001", "stock": 1}]}),
    ("get", "/offers?sku=A%00B", None),
    ("get", "/orders?number=A%00B", None),
]


@pytest.mark.parametrize(("method", "path", "body"), NUL_REQUESTS, ids=[f"{m} {p}" for m, p, _ in NUL_REQUESTS])
def test_a_nul_character_in_any_text_is_a_422_and_changes_nothing(client, w, method, path, body):
    # Given seller A's token; when a string of the query or body holds a NUL (PostgreSQL cannot store or compare
    # one: it was a 500 there), then the answer is a 422 invalid_input and nothing changed
    before = world_state()
    response = call(client, method, path.format(order=w["a_order"].pk), w["a_key"], body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert {k: v for k, v in world_state().items() if k != "idempotency_records"} == {
        k: v for k, v in before.items() if k != "idempotency_records"
    }
