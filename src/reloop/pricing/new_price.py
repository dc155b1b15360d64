"""An honest "vs new" (issue 16, item 5; ADR 0006's known limitation "launch prices age").

A reference price is a manufacturer's launch price with its date. Within a year of that date it is taken as the
price of the device new today, and the page may say "x% below the new price". Older, the page states plainly
that it is the launch price of year N, makes no percentage claim, and names the successor (the newest model of
the same brand and category in the catalogue) with its own launch price and year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reloop.catalog.models import ProductModel
from reloop.catalog.selectors import new_price_from
from reloop.pricing.domain import Savings, savings

#: A launch price this recent still stands for the price new today.
CURRENT_FOR_DAYS = 365


@dataclass(frozen=True, slots=True)
class NewComparison:
    current: bool  # the reference is recent enough to be today's price new
    year: int  # the year of the reference price
    savings: Savings | None  # only when ``current`` and cheaper


def compare_with_new(*, price: int, reference: int, observed_on: dt.date, today: dt.date) -> NewComparison:
    current = (today - observed_on).days <= CURRENT_FOR_DAYS
    return NewComparison(
        current=current,
        year=observed_on.year,
        savings=savings(price=price, reference=reference) if current else None,
    )


def successor(product_model: ProductModel, *, market: str) -> ProductModel | None:
    """The newest model of the same brand and category released after ``product_model``, with its lowest launch
    price in ``market`` as ``new_price_from`` (one query); ``None`` when there is none."""
    return (
        ProductModel.objects.filter(
            brand_id=product_model.brand_id,
            category_id=product_model.category_id,
            release_date__gt=product_model.release_date,
        )
        .annotate(new_price_from=new_price_from(market))
        .select_related("brand")
        .order_by("-release_date", "pk")
        .first()
    )
