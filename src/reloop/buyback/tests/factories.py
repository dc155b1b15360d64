"""Trade-in test data made through the real services (quote → accept → …), as the app's own tests and the web
and API tests need it."""

from __future__ import annotations

import datetime as dt

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.buyback import services
from reloop.buyback.domain import Answers, Body, Screen
from reloop.buyback.models import Bid, TradeIn
from reloop.catalog.models import Variant
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.core import clock
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # a Monday
FLAWLESS = Answers(
    powers_on=True,
    all_functions_work=True,
    screen=Screen.FLAWLESS,
    body=Body.FLAWLESS,
    battery_health=92,
    accounts_removed=True,
    carrier_unlocked=True,
)
IBAN = "GB82 WEST 1234 5698 7654 32"  # the standard example IBAN (valid check digits)
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def phone():
    category = CategoryFactory(slug="smartphones", name="Smartphones")
    return VariantFactory(product_model=ProductModelFactory(category=category))


def bid(
    seller: Seller, variant: Variant, price: int = 20000, *, condition: str = "flawless", market: str = "en-gb"
) -> Bid:
    return services.set_bid(
        actor=None, seller=seller, variant_id=variant.pk, condition=condition, market=market, price=price
    )


def accepted_tradein(
    *,
    customer: User | None = None,
    seller: Seller | None = None,
    price: int = 20000,
    method: str = "credit",
    variant: Variant | None = None,
) -> TradeIn:
    customer = customer or UserFactory.create()
    seller = seller or SellerFactory.create()
    variant = variant or phone()
    with clock.frozen_at(NOW):
        bid(seller, variant, price)
        quote = services.get_quote(actor=customer, variant_id=variant.pk, market="en-gb", answers=FLAWLESS)
        return services.accept_quote(
            actor=customer,
            quote_id=str(quote.public_id),
            payout_method=method,
            iban=IBAN if method == "bank" else "",
            account_holder="Ada Lovelace" if method == "bank" else "",
        )
