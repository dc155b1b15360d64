"""Paid orders in any market, recorded through the orders services (invoicing sits below checkout), with the
seller's onboarding (trader) data."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import cast

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.core.money import Money
from reloop.markets.registry import get_market
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order
from reloop.orders.services import LineSpec, SellerPart, mark_paid, open_order, record_initial_events
from reloop.sellers.models import ApplicationStatus, Seller, SellerApplication
from reloop.sellers.tests.factories import SellerFactory

_keys = itertools.count(1)

ADDRESSES = {
    "fr-fr": {"country": "FR", "full_name": "Camille Martin", "line1": "12 rue de la Paix", "postal_code": "75002",
              "city": "Paris"},
    "de-de": {"country": "DE", "full_name": "Jonas Weber", "line1": "Hauptstraße 5", "postal_code": "10115",
              "city": "Berlin"},
    "en-gb": {"country": "GB", "full_name": "Ada Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA",
              "city": "London"},
    "en-us": {"country": "US", "full_name": "Sam Smith", "line1": "500 Market St", "postal_code": "94103",
              "city": "San Francisco", "region": "CA"},
    "el-gr": {"country": "GR", "full_name": "Νίκος Παπαδόπουλος", "line1": "Οδός Ερμού 10", "postal_code": "105 63",
              "city": "Αθήνα"},
    "en-au": {"country": "AU", "full_name": "Olivia Brown", "line1": "1 George St", "postal_code": "2000",
              "city": "Sydney", "region": "NSW"},
    "ja-jp": {"country": "JP", "full_name": "山田 太郎", "line1": "渋谷1-2-3", "postal_code": "150-0002",
              "city": "渋谷区", "region": "東京都"},
}  # fmt: skip


def trader(
    *, country: str = "FR", name: str = "Second Wind Devices", jp_registration_number: str = "", au_abn: str = ""
) -> Seller:
    """An active seller with its approved onboarding application (the trader data invoices print), with the
    Japanese and Australian tax registrations given."""
    seller = cast(Seller, SellerFactory(name=name, legal_name=f"{name} SAS", country=country))
    operator = cast(User, UserFactory(is_staff=True))
    SellerApplication.objects.create(
        applicant=cast(User, UserFactory()),
        trading_name=name,
        legal_name=f"{name} SAS",
        country=country,
        registration_number="552 100 554",
        vat_number=f"{country}40303265045",
        jp_registration_number=jp_registration_number,
        au_abn=au_abn,
        iban="FR7630006000011234567890189",
        address_line1="3 quai du Commerce",
        postcode="69009",
        city="Lyon",
        address_country=country,
        contact_name="Marie Curie",
        email="contact@secondwind.example",
        phone="+33 4 00 00 00 00",
        self_certified_at=clock.now(),
        status=ApplicationStatus.APPROVED,
        decided_by=operator,
        decided_at=clock.now(),
        seller=seller,
    )
    return seller


@dataclass(frozen=True)
class Item:
    offer: Offer
    unit_price: int
    quantity: int = 1
    tax_rate: Decimal | None = None


def offer_of(seller: Seller, *, scheme: str = "margin") -> Offer:
    offer = make_offer(seller=seller, variant=VariantFactory(), stock=50)
    Offer.objects.filter(pk=offer.pk).update(vat_scheme=scheme)
    offer.vat_scheme = scheme
    return offer


def paid_order(
    *, market: str, items: Sequence[Item], shipping: int = 0, buyer: User | None = None, paid: bool = True
) -> Order:
    """An order of ``items`` in ``market``, paid unless ``paid=False``; US items carry their sales tax."""
    currency = get_market(market).currency
    by_seller: dict[int, list[Item]] = {}
    for item in items:
        by_seller.setdefault(item.offer.seller_id, []).append(item)
    parts = []
    for lines in by_seller.values():
        specs = []
        for item in lines:
            total = Money(item.unit_price * item.quantity, currency)
            tax = total.percentage(item.tax_rate) if item.tax_rate is not None else None
            specs.append(LineSpec(item.offer, item.quantity, Money(item.unit_price, currency), tax=tax,
                                  tax_rate=item.tax_rate))  # fmt: skip
        parts.append(SellerPart(lines[0].offer.seller, "standard", Money(shipping, currency), specs))
    order = open_order(
        buyer=cast(User, buyer or UserFactory()),
        market=market,
        currency=currency,
        idempotency_key=f"inv-test-{next(_keys)}",
        reserved_until=clock.now() + timedelta(minutes=15),
        shipping_address=ADDRESSES[market],
        parts=parts,
        tax_jurisdiction="US-CA" if market == "en-us" else "",
        tax_source="state base rate (test)" if market == "en-us" else "",
    )
    if paid:
        mark_paid(order=order, payment_reference=f"ref-{order.number}")
        record_initial_events(order=order)
    return order
