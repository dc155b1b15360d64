"""Impact, reported: the platform's avoided emissions per month, market and category (public, reconciling with
the order lines' snapshots), and a buyer's own ("my impact"). The method is one click away on both
(``web:methodology``): EU rules forbid unqualified green claims."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reloop.console import selectors
from reloop.web import charts


def _impact_charts(rows: list[selectors.ImpactRow]) -> dict[str, charts.Chart]:
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        by_month[row.month.strftime("%Y-%m")] += row.kgco2e
        by_category[row.category] += row.kgco2e
    months = sorted(by_month)
    categories = sorted(by_category, key=lambda c: (-by_category[c], c))
    return {
        "months": charts.Chart(
            slug="impact-months",
            title=_("CO2e avoided per month (kg)"),
            description=_("Kilograms of CO2e avoided by the refurbished devices bought each month and kept."),
            x_label=_("Month"),
            categories=months,
            series=[charts.Series(_("kg CO2e avoided"), [by_month[m] for m in months])],
            unit="kg",
        ),
        "categories": charts.Chart(
            slug="impact-categories",
            kind="bar",
            title=_("CO2e avoided per category (kg)"),
            description=_("Kilograms of CO2e avoided by category since the platform opened, largest first."),
            x_label=_("Category"),
            categories=categories,
            series=[charts.Series(_("kg CO2e avoided"), [by_category[c] for c in categories])],
            unit="kg",
        ),
    }


@require_safe
def platform_impact(request: HttpRequest) -> HttpResponse:
    """Every kept purchase's avoided emissions, summed from the order lines' snapshots. One query."""
    rows = selectors.impact_rows()
    by_market: dict[str, list[Decimal | int]] = defaultdict(lambda: [Decimal(0), 0, Decimal(0), Decimal(0)])
    for row in rows:
        by_market[row.market][0] += row.kgco2e
        by_market[row.market][1] += row.units
        by_market[row.market][2] += row.kgco2e_low  # the range, from each line's frozen low and high ends
        by_market[row.market][3] += row.kgco2e_high
    url = reverse("web:impact_csv")
    return render(
        request,
        "web/storefront/impact/platform.html",
        {
            "rows": rows,
            "total_kg": sum((r.kgco2e for r in rows), Decimal(0)),
            "total_kg_low": sum((r.kgco2e_low for r in rows), Decimal(0)),
            "total_kg_high": sum((r.kgco2e_high for r in rows), Decimal(0)),
            "total_units": sum(r.units for r in rows),
            "markets": sorted(by_market.items()),
            "charts": [(chart, f"{url}?chart={name}") for name, chart in _impact_charts(rows).items()],
        },
    )


@require_safe
def platform_impact_csv(request: HttpRequest) -> HttpResponse:
    """The numbers of a chart of the impact page (``?chart=months|categories``), or every row (month, market,
    category) by default."""
    rows = selectors.impact_rows()
    name = request.GET.get("chart", "")
    found = _impact_charts(rows)
    if name in found:
        return charts.csv_response(found[name], filename=f"reloop-impact-{name}.csv")
    table = charts.Chart(
        slug="impact",
        title="impact",
        description="",
        x_label="month",
        categories=[f"{r.month:%Y-%m} {r.market} {r.category}" for r in rows],
        series=[
            charts.Series("units", [r.units for r in rows]),
            charts.Series("kgco2e_avoided", [r.kgco2e for r in rows]),
            charts.Series("kgco2e_avoided_low", [r.kgco2e_low for r in rows]),
            charts.Series("kgco2e_avoided_high", [r.kgco2e_high for r in rows]),
        ],
    )
    return charts.csv_response(table, filename="reloop-impact.csv")


@login_required
@require_safe
def my_impact(request: HttpRequest) -> HttpResponse:
    """The signed-in buyer's avoided emissions: their kept purchases, each with its figure. Two queries."""
    return render(request, "web/storefront/impact/mine.html", {"impact": selectors.buyer_impact(buyer=request.user)})  # type: ignore[arg-type]
