"""Calling the seller API in tests: bearer token, JSON body, Idempotency-Key."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

BASE = "/api/v1/seller"


def call(
    client: Any,
    method: str,
    path: str,
    key: str | None = None,
    body: Any = None,
    *,
    idem: str | None = "auto",
    raw: bytes | str | None = None,
    **headers: Any,
) -> Any:
    """``method`` ``BASE + path`` with ``key`` as bearer token. ``idem="auto"`` sends a fresh Idempotency-Key on
    writes, ``None`` none at all; ``raw`` sends a body as is (garbage tests)."""
    if key is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {key}")
    if idem == "auto":
        idem = None if method == "get" else uuid.uuid4().hex
    if idem is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    kwargs: dict[str, Any] = {}
    if method != "get":
        kwargs["content_type"] = "application/json"
        if raw is not None:
            kwargs["data"] = raw
        elif body is not None:
            kwargs["data"] = json.dumps(body)
    return getattr(client, method)(f"{BASE}{path}", **kwargs, **headers)


def concurrent_statuses(threads: int, send: Callable[[Any], Any]) -> list[int]:
    """``threads`` threads, each with its own test client and database connection, call ``send(client)`` at the
    same moment (a barrier); the status codes of their responses, in the order they finished."""
    from django.db import connection
    from django.test import Client

    barrier = threading.Barrier(threads)
    results: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            client = Client()
            barrier.wait()
            status = send(client).status_code
            with lock:
                results.append(status)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


ADDRESS = {
    "full_name": "Ada Buyer",
    "line1": "1 High Street",
    "postal_code": "SW1A 1AA",
    "city": "London",
    "phone": "+44 20 7946 0000",
}


def placed_order(*, seller: Any, quantity: int = 1, stock: int = 10) -> tuple[Any, Any, Any]:
    """(offer, seller order, line) of an order paid with the test card, placed as a buyer places it, so that a
    cancellation refunds a real (test provider) charge through the ledger."""
    from reloop.checkout.tests.factories import paid_seller_order

    return paid_seller_order(seller=seller, quantity=quantity, stock=stock, address=ADDRESS)


def world_state() -> dict[str, Any]:
    """Everything a seller API write may change, to assert that a refused or replayed call changed nothing."""
    from reloop.core.models import IdempotencyRecord
    from reloop.fulfillment.models import Shipment
    from reloop.offers.models import Offer, OfferPrice
    from reloop.orders.models import LineEvent, OrderLine
    from reloop.payments.models import LedgerTransaction, Posting

    return {
        "offers": list(
            Offer.objects.order_by("pk").values_list(
                "pk", "sku", "stock", "grade", "battery_tier", "warranty_months", "dispatch_days", "is_active"
            )
        ),
        "prices": list(OfferPrice.objects.order_by("pk").values_list("offer_id", "market", "amount")),
        "lines": list(OrderLine.objects.order_by("pk").values_list("pk", "state")),
        "line_events": LineEvent.objects.count(),
        "ledger": (LedgerTransaction.objects.count(), Posting.objects.count()),
        "shipments": list(Shipment.objects.order_by("pk").values_list("pk", "tracking_number")),
        "idempotency_records": IdempotencyRecord.objects.count(),
    }
