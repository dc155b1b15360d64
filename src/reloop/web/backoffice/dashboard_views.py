"""Seller back office: the dashboard. Views parse, authorize (``seller_required``), call selectors and render.

The dashboard reads in a constant number of queries: sales of the last 30 days per currency, the lines waiting for
acceptance or shipping (with how many are past their deadline), the buy-box share per market and the active offers
without stock.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reloop.checkout.auto_cancel import acceptance_deadline, shipping_deadline
from reloop.core import clock
from reloop.markets.registry import UnknownMarket, get_market
from reloop.offers.selectors import out_of_stock_count
from reloop.orders.backoffice import open_lines, seller_sales
from reloop.orders.domain import LineState
from reloop.pricing.selectors import buy_box_share
from reloop.web.backoffice.shell import seller_of, seller_required

SALES_DAYS = 30


def _market_name(code: str) -> object:
    try:
        return get_market(code).country_name
    except UnknownMarket:  # a market closed since: still show its figures
        return code


@require_safe
@seller_required
def dashboard(request: HttpRequest) -> HttpResponse:
    seller = seller_of(request)
    now = clock.now()
    waiting = open_lines(seller=seller)
    to_accept = [line for line in waiting if line.state == LineState.PAID]
    to_ship = [line for line in waiting if line.state == LineState.ACCEPTED]
    shares = buy_box_share(seller=seller)
    context = {
        "seller": seller,
        "sales_days": SALES_DAYS,
        "sales": seller_sales(seller=seller, since=now - dt.timedelta(days=SALES_DAYS)),
        "to_accept": len(to_accept),
        "to_accept_overdue": sum(1 for line in to_accept if acceptance_deadline(line.paid_at) < now),
        "to_ship": len(to_ship),
        "to_ship_overdue": sum(1 for line in to_ship if shipping_deadline(line.paid_at, line.dispatch_days) < now),
        "shares": sorted(((share, _market_name(share.market)) for share in shares), key=lambda s: str(s[1])),
        "out_of_stock": out_of_stock_count(seller=seller),
    }
    return render(request, "web/backoffice/dashboard.html", context)
