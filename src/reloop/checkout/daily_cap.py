"""The new-seller daily cap where orders are placed (DESIGN.md section 2, docs/adr/0012-seller-onboarding-and-cap.md).

A seller approved less than ``RELOOP_NEW_SELLER_CAP_DAYS`` days ago sells at most ``RELOOP_NEW_SELLER_DAILY_CAP``
units a day (UTC days). Two places enforce it:

* at reservation, ``check_daily_caps`` refuses a cart that would take such a seller past its cap, counting the
  units paid today and those held by reservations still running (so two buyers cannot both take the last unit
  of the day's allowance while one is paying);
* once an order is paid, ``cap_sellers_of_order`` (an ``OrderPaid`` handler) caps the sellers it brought to the
  cap: their offers leave the buy box until the next day, when the ``lift_daily_caps`` job brings them back.

Established sellers cost nothing here: the count runs only for sellers still in their first days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from reloop.checkout.errors import SellerDailyCapReached
from reloop.checkout.selectors import CartReview
from reloop.core import clock
from reloop.orders.models import OrderLine, OrderStatus, SellerOrder
from reloop.sellers.conf import new_seller_cap
from reloop.sellers.domain import exceeds_cap, is_new_seller, reaches_cap
from reloop.sellers.models import Seller
from reloop.sellers.services import cap_seller_for_today


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def units_sold_on(*, seller_ids: Iterable[int], day: dt.date, include_held: bool) -> dict[int, int]:
    """Units of each seller's lines paid on ``day``; with ``include_held``, plus units in unpaid orders whose
    reservation still runs. One query, grouped by seller."""
    ids = list(seller_ids)
    if not ids:
        return {}
    start, end = _day_bounds(day)
    counted = Q(seller_order__order__paid_at__gte=start, seller_order__order__paid_at__lt=end)
    if include_held:
        counted |= Q(
            seller_order__order__status=OrderStatus.PENDING_PAYMENT,
            seller_order__order__reserved_until__gt=clock.now(),
        )
    rows = (
        OrderLine.objects.filter(counted, seller_order__seller_id__in=ids)
        .values("seller_order__seller_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {row["seller_order__seller_id"]: int(row["units"]) for row in rows}


def check_daily_caps(review: CartReview, *, lock: bool = False) -> None:
    """Refuse the cart (``seller_daily_cap``) if it takes a new seller past today's cap; nothing is written.

    ``lock=True`` (inside the reservation's transaction) first locks the new sellers' rows, in primary-key order,
    so two concurrent checkouts of the same new seller count one after the other (PostgreSQL; SQLite's IMMEDIATE
    transactions already run one writer at a time) and cannot both take the day's last unit.
    """
    rule = new_seller_cap()
    today = clock.today()
    new_parts = [p for p in review.parts if is_new_seller(approved_at=p.seller.approved_at, today=today, rule=rule)]
    if not new_parts:
        return
    if lock:
        list(Seller.objects.select_for_update().filter(pk__in=[p.seller.pk for p in new_parts]).order_by("pk"))
    sold = units_sold_on(seller_ids=[p.seller.pk for p in new_parts], day=today, include_held=True)
    for part in new_parts:
        wanted = sum(item.line.quantity for item in part.items)
        if exceeds_cap(units_today=sold.get(part.seller.pk, 0), units_wanted=wanted, rule=rule):
            left = max(rule.daily_units - sold.get(part.seller.pk, 0), 0)
            raise SellerDailyCapReached(
                _(
                    "%(seller)s is a new seller and can sell %(cap)s units a day; %(left)s left today. "
                    "Reduce the quantity or choose another offer."
                )
                % {"seller": part.seller.name, "cap": rule.daily_units, "left": left}
            )


def cap_sellers_of_order(*, order_id: int) -> list[int]:
    """After an order is paid: cap, for the rest of today, each new seller in it that has now sold its daily
    allowance. Idempotent (a seller already capped today is left alone). Returns the ids it capped."""
    rule = new_seller_cap()
    today = clock.today()
    sellers = [
        seller
        for seller in Seller.objects.filter(
            pk__in=SellerOrder.objects.filter(order_id=order_id).values("seller_id")
        ).order_by("pk")
        if is_new_seller(approved_at=seller.approved_at, today=today, rule=rule) and seller.capped_on != today
    ]
    if not sellers:
        return []
    sold = units_sold_on(seller_ids=[s.pk for s in sellers], day=today, include_held=False)
    return [
        seller.pk
        for seller in sellers
        if reaches_cap(units_today=sold.get(seller.pk, 0), rule=rule) and cap_seller_for_today(seller=seller, day=today)
    ]
