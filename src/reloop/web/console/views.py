"""The operator console at ``/operator/``: the home (figures of the day and the period per market and in the
reporting currency, what waits for an operator, charts), the seller list and a seller's 360° page, the support
search, chart and impact CSV exports. Who may open what: ``reloop/console/roles.py``; the menu: ``web/console/nav.py``.

Views parse, authorize (``operator_required``), call ``console.selectors`` / ``console.services`` and render.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from reloop.accounts.models import User
from reloop.console import domain, roles, selectors
from reloop.console.services import decide_seller_standing
from reloop.core import clock
from reloop.core.errors import DomainError, NotFound
from reloop.core.pagination import page_number, paginate
from reloop.sellers import selectors as sellers
from reloop.sellers.models import Standing
from reloop.web import charts
from reloop.web.console.access import operator_required

PAGE_SIZE = 50


def _period(request: HttpRequest) -> tuple[str, domain.Period]:
    code = request.GET.get("period", domain.DEFAULT_PERIOD)
    if code not in domain.PERIOD_DAYS:
        code = domain.DEFAULT_PERIOD
    return code, domain.period_ending(clock.today(), code)


# --- Charts of the home --------------------------------------------------------------------------------------


def sales_charts(*, period: domain.Period, rates: selectors.Rates) -> dict[str, charts.Chart]:
    """The home's charts: GMV per day, orders per day, GMV by category (three queries)."""
    points = selectors.daily_sales(period=period, rates=rates)
    days = [p.day.isoformat() for p in points]
    currency = rates.reporting_currency
    shares = selectors.gmv_by_category(period=period, rates=rates)
    return {
        "gmv": charts.Chart(
            slug="gmv",
            title=_("GMV per day (%(currency)s)") % {"currency": currency},
            description=_("Total of the orders paid each day from %(first)s to %(last)s, converted to %(currency)s.")
            % {"first": period.first, "last": period.last, "currency": currency},
            x_label=_("Day"),
            categories=days,
            series=[charts.Series(_("GMV"), [p.gmv.to_major() for p in points])],
            unit=currency,
        ),
        "orders": charts.Chart(
            slug="orders",
            title=_("Orders per day"),
            description=_("Number of orders paid each day from %(first)s to %(last)s.")
            % {"first": period.first, "last": period.last},
            x_label=_("Day"),
            categories=days,
            series=[charts.Series(_("Orders"), [p.orders for p in points])],
        ),
        "categories": charts.Chart(
            slug="categories",
            kind="bar",
            title=_("Sales by category (%(currency)s)") % {"currency": currency},
            description=_("Line totals of the orders paid in the period per category, largest first."),
            x_label=_("Category"),
            categories=[s.label for s in shares],
            series=[charts.Series(_("Sales"), [s.value.to_major() for s in shares])],
            unit=currency,
        ),
    }


@require_safe
@operator_required(roles.VIEW_CONSOLE)
def home(request: HttpRequest) -> HttpResponse:
    """What waits for an operator now; with ``console.view_figures``: today's and the period's figures per market
    and in the reporting currency, and the charts. A fixed number of queries whatever the number of orders."""
    code, period = _period(request)
    context: dict[str, Any] = {
        "backlog": selectors.backlog(),
        "period_code": code,
        "periods": list(domain.PERIOD_DAYS),
        "period": period,
    }
    if request.user.has_perm(roles.VIEW_FIGURES):
        rates = selectors.rates_on(period.last)
        today = domain.Period(first=period.last, last=period.last)
        markets = selectors.market_figures(start=period.start, end=period.end)
        today_markets = selectors.market_figures(start=today.start, end=today.end)
        context |= {
            "rates": rates,
            "markets": markets,
            "platform": selectors.platform_figures(markets, rates),
            "today": selectors.platform_figures(today_markets, rates),
            "charts": [
                (chart, f"{reverse('operator:chart_csv', args=[name])}?period={code}")
                for name, chart in sales_charts(period=period, rates=rates).items()
            ],
        }
    return render(request, "web/console/home.html", context)


CHART_NAMES = ("gmv", "orders", "categories")


@require_safe
@operator_required(roles.VIEW_FIGURES)
def chart_csv(request: HttpRequest, name: str) -> HttpResponse:
    if name not in CHART_NAMES:
        raise Http404(name)
    _code, period = _period(request)
    chart = sales_charts(period=period, rates=selectors.rates_on(period.last))[name]
    return charts.csv_response(chart, filename=f"reloop-{name}-{period.first}-{period.last}.csv")


@require_safe
@operator_required(roles.VIEW_FIGURES)
def markets_csv(request: HttpRequest) -> HttpResponse:
    """The home's per-market table as CSV (amounts in minor units of each market's currency)."""
    _code, period = _period(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "market", "currency", "gmv_minor", "orders", "commission_minor", "refunded_minor", "cancelled_minor",
            "units", "cancelled_units", "returns", "claims", "take_rate", "refund_rate", "return_rate", "claim_rate",
            "cancellation_rate",
        ]
    )  # fmt: skip
    for f in selectors.market_figures(start=period.start, end=period.end):
        writer.writerow(
            [
                f.market, f.currency, f.gmv, f.orders, f.commission, f.refunded, f.cancelled_amount, f.units,
                f.cancelled_units, f.returns, f.claims, f.take_rate, f.refund_rate, f.return_rate, f.claim_rate,
                f.cancellation_rate,
            ]
        )  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reloop-markets-{period.first}-{period.last}.csv"'
    return response


# --- Sellers -------------------------------------------------------------------------------------------------


@require_safe
@operator_required(roles.VIEW_SELLER_360)
def seller_directory(request: HttpRequest) -> HttpResponse:
    """Every seller with standing, score, 90-day GMV and open issues; filter by standing or name. Queries: count,
    page, rates and three aggregates for the page, whatever the number of sellers or orders."""
    standing = request.GET.get("standing", "")
    if standing not in Standing.values:
        standing = ""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    paged = paginate(
        selectors.sellers_for_console(standing=standing, query=query),
        page=page_number(request.GET.get("page")),
        page_size=PAGE_SIZE,
    )
    today = clock.today()
    rates = selectors.rates_on(today)
    rows = selectors.sellers_page(paged.items, today=today, rates=rates)
    return render(
        request,
        "web/console/sellers.html",
        {
            "rows": rows,
            "page": paged,
            "meta": paged.meta(),
            "page_query": urlencode({"q": query, "standing": standing}),
            "standing": standing,
            "query": query,
            "standings": Standing.choices,
            "currency": rates.reporting_currency,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@operator_required(roles.VIEW_SELLER_360)
def seller_360(request: HttpRequest, slug: str) -> HttpResponse:
    """One seller's whole record; POST suspends or reactivates it with a reason (``sellers.change_sellerapplication``
    is checked by the service; the reason goes to the audit trail)."""
    try:
        seller = sellers.seller_by_slug(slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        if not request.user.has_perm(roles.VET_SELLERS):
            return HttpResponse(_("You may not do this"), status=403)
        try:
            decide_seller_standing(
                actor=request.user,  # type: ignore[arg-type]
                seller=seller,
                standing=request.POST.get("standing", ""),
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Decision recorded in %(seller)s's record.") % {"seller": seller.name})
            return redirect("operator:seller_360", slug=slug)
    record = selectors.seller_360(seller=seller, today=clock.today())
    return render(
        request,
        "web/console/seller_360.html",
        {
            "record": record,
            "seller": seller,
            "error": error,
            "can_vet": request.user.has_perm(roles.VET_SELLERS),
            "Standing": Standing,
        },
        status=422 if error else 200,
    )


# --- Support search ------------------------------------------------------------------------------------------


@require_safe
@operator_required(roles.SEARCH_CUSTOMERS)
def search(request: HttpRequest) -> HttpResponse:
    """Orders, buyers, sellers and devices (IMEI or serial) matching ``q``. Four queries at most."""
    query = request.GET.get("q", "")
    results = selectors.support_search(query=query) if query else None
    return render(request, "web/console/search.html", {"results": results, "query": query[:100]})


# --- Impact --------------------------------------------------------------------------------------------------


@require_safe
@operator_required(roles.EXPORT_REPORTS)
def impact_export(request: HttpRequest) -> HttpResponse:
    """Avoided kg CO2e per market, category and month, from the order lines' snapshots, as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["month", "market", "category", "units", "kgco2e_avoided"])
    for row in selectors.impact_rows():
        writer.writerow([row.month.strftime("%Y-%m"), row.market, row.category, row.units, row.kgco2e])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reloop-impact.csv"'
    return response


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
