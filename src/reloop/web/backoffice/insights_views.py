"""The seller back office's charts at ``/seller/insights/``: sales per day, the share of buy boxes held per market,
and the quality rates against the thresholds that warn and suspend, each with its table and CSV."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reloop.console import domain, selectors
from reloop.core import clock
from reloop.quality import selectors as quality
from reloop.quality.conf import limits
from reloop.quality.domain import Metric
from reloop.sellers.models import Seller
from reloop.web import charts
from reloop.web.backoffice.shell import seller_of, seller_required

DAYS = 30


def seller_charts(seller: Seller) -> dict[str, charts.Chart]:
    """Five queries: rates, sales per day, buy-box share now and over time, quality snapshots."""
    period = domain.period_ending(clock.today(), f"{DAYS}d")
    rates = selectors.rates_on(period.last)
    sales = selectors.daily_sales(period=period, rates=rates, seller=seller)
    share = selectors.seller_buy_box_share(seller=seller)
    trend = selectors.seller_quality_trend(seller=seller, days=DAYS)
    history = quality.buy_box_share_history(seller=seller, first=period.first, last=period.last)
    days = sorted({h.day for h in history})
    markets = sorted({h.market for h in history})
    held = {(h.day, h.market): domain.ratio(h.held, h.competing) for h in history}
    limit = limits()
    currency = rates.reporting_currency
    return {
        "sales": charts.Chart(
            slug="seller-sales",
            title=_("Sales per day (%(currency)s)") % {"currency": currency},
            description=_("Your seller orders paid each day over the last %(days)s days, converted to %(currency)s.")
            % {"days": DAYS, "currency": currency},
            x_label=_("Day"),
            categories=[p.day.isoformat() for p in sales],
            series=[charts.Series(_("Sales"), [p.gmv.to_major() for p in sales])],
            unit=currency,
        ),
        "buybox": charts.Chart(
            slug="seller-buybox",
            kind="bar",
            title=_("Buy boxes held, per market"),
            description=_(
                "Of the buy boxes (product, grade, market) you compete in with a priced offer, the share you hold now."
            ),
            x_label=_("Market"),
            categories=[market for market, _won, _total in share],
            series=[charts.Series(_("Share held"), [domain.ratio(won, total) for _m, won, total in share])],
            percent=True,
        ),
        "buybox-history": charts.Chart(
            slug="seller-buybox-history",
            title=_("Buy-box share per market, day by day"),
            description=_(
                "Of the buy boxes you competed in each day with a priced offer, the share you held, as the daily "
                "quality job found it over the last %(days)s days."
            )
            % {"days": DAYS},
            x_label=_("Day"),
            categories=[day.isoformat() for day in days],
            series=[charts.Series(market, [held.get((day, market)) for day in days]) for market in markets],
            percent=True,
        ),
        "quality": charts.Chart(
            slug="seller-quality",
            title=_("Quality rates over 90 days, against the warning thresholds"),
            description=_(
                "Defect, cancellation and late-shipment rates as computed each day over the previous 90 days. Above "
                "a dashed line you are warned; at twice it you are suspended."
            ),
            x_label=_("Day"),
            categories=[p.day.isoformat() for p in trend],
            series=[
                charts.Series(_("Defect rate"), [p.defect_rate for p in trend]),
                charts.Series(_("Cancellation rate"), [p.cancellation_rate for p in trend]),
                charts.Series(_("Late shipment rate"), [p.late_shipment_rate for p in trend]),
            ],
            percent=True,
            thresholds=[
                charts.Threshold(_("Defects limit"), limit.warning(Metric.DEFECT_RATE)),
                charts.Threshold(_("Cancellations limit"), limit.warning(Metric.CANCELLATION_RATE)),
                charts.Threshold(_("Late shipments limit"), limit.warning(Metric.LATE_SHIPMENT_RATE)),
            ],
        ),
    }


@require_safe
@seller_required
def insights(request: HttpRequest) -> HttpResponse:
    url = reverse("seller:insights_csv", args=["NAME"])
    seller = seller_of(request)
    found = seller_charts(seller)
    return render(
        request,
        "web/backoffice/insights.html",
        {
            "charts": [(chart, url.replace("NAME", name)) for name, chart in found.items()],
            # the CO2e its kept sales avoided, per market and month, summed from its order lines' snapshots
            "impact_rows": selectors.seller_impact_rows(seller=seller),
        },
    )


@require_safe
@seller_required
def insights_csv(request: HttpRequest, name: str) -> HttpResponse:
    found = seller_charts(seller_of(request))
    if name not in found:
        raise Http404(name)
    return charts.csv_response(found[name], filename=f"reloop-{name}.csv")
