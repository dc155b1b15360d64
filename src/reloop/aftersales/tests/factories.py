"""Delivered order lines made through the real services: an order opened, paid at the test provider, split in
the ledger (as checkout does), then accepted, shipped and delivered through ``transition_line``.

Checkout sits beside aftersales in the layer contract, so its glue is repeated here in a few lines instead of
imported.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from decimal import Decimal

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales.services import Photo
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.core.money import Money
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import Order, OrderLine, SellerOrder
from reloop.orders.services import LineSpec, SellerPart, mark_paid, open_order, record_initial_events, transition_line
from reloop.payments import services as ledger
from reloop.payments.domain import SellerShare, commission
from reloop.payments.providers.testing import TestProvider
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

_keys = itertools.count(1)
ADDRESS = {"full_name": "Ada Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}
US_ADDRESS = {"full_name": "Sam Smith", "line1": "500 Market St", "postal_code": "94103", "city": "San Francisco",
              "region": "CA", "country": "US"}  # fmt: skip

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 64


def photo(content: bytes = JPEG, name: str = "photo.jpg") -> Photo:
    return Photo(name=name, content=content)


def upload(content: bytes = JPEG, name: str = "photo.jpg") -> io.BytesIO:
    """A file as a browser posts it (for the web tests)."""
    file = io.BytesIO(content)
    file.name = name
    return file


@dataclass
class Sale:
    order: Order
    line: OrderLine  # the first (often only) line
    lines: list[OrderLine]
    buyer: User
    seller: Seller
    seller_user: User


def delivered_line(
    *,
    buyer: User | None = None,
    seller: Seller | None = None,
    price: int = 30000,
    quantity: int = 1,
    warranty_months: int = 12,
    delivered_at: dt.datetime | None = None,
    paid_at: dt.datetime | None = None,
    state: str = LineState.DELIVERED,
    lines: int = 1,
    sales_tax_rate: Decimal | None = None,
) -> Sale:
    """One paid order of ``lines`` lines from ``seller`` (a new one with an owner member), delivered (by default).

    With ``sales_tax_rate`` (percent) it is a US order (USD, delivered in California) whose lines carry that sales
    tax, collected and recorded in the ledger as checkout does; otherwise a GB order."""
    buyer = buyer or UserFactory.create()
    if seller is None:
        seller = SellerFactory.create()
        seller_user = SellerMemberFactory.create(seller=seller).user
    else:
        seller_user = seller.members.get(role="owner").user
    offers = [
        make_offer(seller=seller, variant=VariantFactory.create(), price=price, warranty_months=warranty_months)
        for _ in range(lines)
    ]
    us = sales_tax_rate is not None
    currency = "USD" if us else "GBP"
    unit = Money(price, currency)
    fee = commission(unit * quantity, 10)
    tax = (unit * quantity).percentage(sales_tax_rate) if sales_tax_rate is not None else None
    ship_fee = Money(0, currency)
    key = f"aftersales-test-{next(_keys)}"
    order = open_order(
        buyer=buyer,
        market="en-us" if us else "en-gb",
        currency=currency,
        idempotency_key=key,
        reserved_until=clock.now() + dt.timedelta(minutes=15),
        shipping_address=US_ADDRESS if us else ADDRESS,
        parts=[
            SellerPart(
                seller,
                "standard",
                Money(0, currency),
                [LineSpec(o, quantity, unit, None, fee, tax, sales_tax_rate) for o in offers],
                ship_fee,
            )
        ],
        tax_jurisdiction="US-CA" if us else "",
        tax_source="state base rate (test)" if us else "",
    )
    provider = TestProvider()
    total = Money(order.total, currency)
    payment = provider.create_payment(
        amount=total, order_reference=order.number, return_url="/", idempotency_key=f"{key}:payment"
    )
    provider.confirm_with_card(reference=payment.reference, card="4242424242424242")  # the buyer, on its page
    provider.capture(reference=payment.reference, amount=total, idempotency_key=f"{key}:capture")
    mark_paid(order=order, payment_reference=payment.reference)
    record_initial_events(order=order)
    reference = f"order:{order.number}"
    ledger.record_capture(key=f"{reference}:capture", reference=reference, amount=total)
    shares = [
        SellerShare(seller_id=s, gross=Money(t, currency), commission=Money(c, currency))
        for s, t, c in SellerOrder.objects.filter(order=order).values_list("seller_id", "total", "commission")
    ]
    ledger.record_split(key=f"{reference}:split", reference=reference, shares=shares)
    if order.tax_total:
        ledger.record_sales_tax(
            key=f"{reference}:sales-tax", reference=reference, amount=Money(order.tax_total, currency)
        )
    made = list(OrderLine.objects.filter(seller_order__order=order).order_by("pk"))
    path: list[str] = [LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED]
    if state == LineState.COMPLETED:
        path.append(LineState.COMPLETED)
    elif state != LineState.DELIVERED:
        path = path[: [LineState.PAID, *path].index(state)]
    for line in made:
        for step in path:
            transition_line(line_id=line.pk, to_state=step, actor=None, actor_kind="system")
    if delivered_at is not None and state in (LineState.DELIVERED, LineState.COMPLETED):
        OrderLine.objects.filter(seller_order__order=order).update(delivered_at=delivered_at)
    if paid_at is not None:
        Order.objects.filter(pk=order.pk).update(paid_at=paid_at)
    order.refresh_from_db()
    made = list(OrderLine.objects.filter(seller_order__order=order).order_by("pk"))
    return Sale(order=order, line=made[0], lines=made, buyer=buyer, seller=seller, seller_user=seller_user)
