"""The operator console's reads across every domain: the figures of a period per market and in the reporting
currency, their daily series and breakdowns, the seller list and a seller's 360° record, and the support search.

Every figure is an aggregate computed by the database: the number of queries does not depend on the number of
orders (``tests/test_figures.py`` asserts it). Definitions (docs/operator-console.md):

- GMV: the totals (items + shipping, tax included) of orders paid in the period; orders: how many; average
  basket: GMV / orders.
- Commission: the commission of the seller orders of those orders; take rate: commission / GMV.
- Refunded / cancelled: money given back in the period per the ledger's line refunds (``LineRefund``, whose
  transaction kind is ``refund`` or ``cancellation``), by the market of the refunded order; refund rate:
  refunded / GMV.
- Units sold: quantities of the lines of orders paid in the period; return / claim rate: returns / warranty
  claims opened in the period ÷ units sold; cancellation rate: units of lines cancelled in the period ÷ units sold.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from reloop.accounts.models import User
from reloop.aftersales.domain import OPEN_STATES, CaseKind, CaseState, Escalation
from reloop.aftersales.models import Case, CaseEvent, Role
from reloop.buyback.domain import State as TradeInState
from reloop.buyback.models import TradeIn
from reloop.console import conf, domain
from reloop.console.models import ExchangeRate, OperatorDecision
from reloop.core.money import Money
from reloop.devices.models import Device
from reloop.orders.domain import LineState
from reloop.orders.models import Order, OrderLine, OrderStatus, SellerOrder
from reloop.payments.models import LineRefund, Payout, TransactionKind
from reloop.quality import selectors as quality_selectors
from reloop.quality.models import QualitySnapshot, QualityWarning
from reloop.sellers.models import ApplicationStatus, Seller, SellerApplication

# --- Exchange rates ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rates:
    """Units per EUR for each currency, as of the latest rate on or before a day, with where they come from."""

    reporting_currency: str
    per_eur: dict[str, Decimal]
    rows: list[ExchangeRate]

    def convert_totals(self, totals: dict[str, int]) -> tuple[Money, list[str]]:
        return domain.convert_totals(totals, to=self.reporting_currency, per_eur=self.per_eur)

    def convert(self, amount: Money) -> Money | None:
        try:
            return domain.convert(amount, to=self.reporting_currency, per_eur=self.per_eur)
        except domain.MissingRate:
            return None


def rates_on(day: dt.date) -> Rates:
    """The latest rate of each currency dated on or before ``day`` (one query)."""
    latest: dict[str, ExchangeRate] = {}
    for row in ExchangeRate.objects.filter(as_of__lte=day).order_by("currency", "-as_of"):
        latest.setdefault(row.currency, row)
    return Rates(
        reporting_currency=conf.reporting_currency(),
        per_eur={code: row.per_eur for code, row in latest.items()},
        rows=list(latest.values()),
    )


# --- The figures of a period ---------------------------------------------------------------------------------


@dataclass
class MarketFigures:
    """One market's (or, for the platform line, one currency's) figures over a period, in minor units."""

    market: str
    currency: str
    gmv: int = 0
    orders: int = 0
    commission: int = 0
    refunded: int = 0
    cancelled_amount: int = 0
    units: int = 0
    cancelled_units: int = 0
    returns: int = 0
    claims: int = 0

    @property
    def gmv_money(self) -> Money:
        return Money(self.gmv, self.currency)

    @property
    def average_basket(self) -> Money | None:
        return domain.average(self.gmv_money, self.orders)

    @property
    def take_rate(self) -> Decimal | None:
        return domain.ratio(self.commission, self.gmv)

    @property
    def refund_rate(self) -> Decimal | None:
        return domain.ratio(self.refunded, self.gmv)

    @property
    def return_rate(self) -> Decimal | None:
        return domain.ratio(self.returns, self.units)

    @property
    def claim_rate(self) -> Decimal | None:
        return domain.ratio(self.claims, self.units)

    @property
    def cancellation_rate(self) -> Decimal | None:
        return domain.ratio(self.cancelled_units, self.units)


@dataclass
class PlatformFigures:
    """The platform's figures in the reporting currency: every currency converted once, then added."""

    currency: str
    gmv: Money
    orders: int
    commission: Money
    refunded: Money
    cancelled_amount: Money
    units: int
    cancelled_units: int
    returns: int
    claims: int
    missing_rates: list[str] = field(default_factory=list)

    @property
    def average_basket(self) -> Money | None:
        return domain.average(self.gmv, self.orders)

    @property
    def take_rate(self) -> Decimal | None:
        return domain.ratio(self.commission.amount, self.gmv.amount)

    @property
    def refund_rate(self) -> Decimal | None:
        return domain.ratio(self.refunded.amount, self.gmv.amount)

    @property
    def return_rate(self) -> Decimal | None:
        return domain.ratio(self.returns, self.units)

    @property
    def claim_rate(self) -> Decimal | None:
        return domain.ratio(self.claims, self.units)

    @property
    def cancellation_rate(self) -> Decimal | None:
        return domain.ratio(self.cancelled_units, self.units)


def _paid_in(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(status=OrderStatus.PAID, paid_at__gte=start, paid_at__lt=end)


def market_figures(*, start: dt.datetime, end: dt.datetime) -> list[MarketFigures]:
    """Each market's figures from ``start`` to ``end`` (see the module docstring), by market code. Six aggregate
    queries whatever the number of orders."""
    rows: dict[tuple[str, str], MarketFigures] = {}

    def row(market: str, currency: str) -> MarketFigures:
        return rows.setdefault((market, currency), MarketFigures(market=market, currency=currency))

    orders = Order.objects.filter(_paid_in(start, end))
    for market, currency, gmv, count in (
        orders.values("market", "currency")
        .annotate(g=Sum("total"), n=Count("pk"))
        .values_list("market", "currency", "g", "n")
    ):
        figures = row(market, currency)
        figures.gmv, figures.orders = gmv or 0, count
    for market, currency, commission in (
        SellerOrder.objects.filter(order__in=orders)
        .values("order__market", "order__currency")
        .annotate(c=Sum("commission"))
        .values_list("order__market", "order__currency", "c")
    ):
        row(market, currency).commission = commission or 0
    for market, currency, units in (
        OrderLine.objects.filter(seller_order__order__in=orders)
        .values("seller_order__order__market", "seller_order__order__currency")
        .annotate(u=Sum("quantity"))
        .values_list("seller_order__order__market", "seller_order__order__currency", "u")
    ):
        row(market, currency).units = units or 0
    for market, currency, units in (
        OrderLine.objects.filter(state=LineState.CANCELLED, state_changed_at__gte=start, state_changed_at__lt=end)
        .values("seller_order__order__market", "seller_order__order__currency")
        .annotate(u=Sum("quantity"))
        .values_list("seller_order__order__market", "seller_order__order__currency", "u")
    ):
        row(market, currency).cancelled_units = units or 0
    for market, currency, refunded, cancelled in (
        LineRefund.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("seller_order__order__market", "currency")
        .annotate(
            r=Sum("gross", filter=Q(transaction__kind=TransactionKind.REFUND)),
            c=Sum("gross", filter=Q(transaction__kind=TransactionKind.CANCELLATION)),
        )
        .values_list("seller_order__order__market", "currency", "r", "c")
    ):
        figures = row(market, currency)
        figures.refunded, figures.cancelled_amount = refunded or 0, cancelled or 0
    for market, currency, returns, claims in (
        Case.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .values("order__market", "order__currency")
        .annotate(r=Count("pk", filter=Q(kind=CaseKind.RETURN)), w=Count("pk", filter=Q(kind=CaseKind.WARRANTY)))
        .values_list("order__market", "order__currency", "r", "w")
    ):
        figures = row(market, currency)
        figures.returns, figures.claims = returns, claims
    return [rows[key] for key in sorted(rows)]


def platform_figures(markets: list[MarketFigures], rates: Rates) -> PlatformFigures:
    """The markets' figures added up in the reporting currency (money summed per currency, then converted)."""
    by_currency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for figures in markets:
        for name in ("gmv", "commission", "refunded", "cancelled_amount"):
            by_currency[name][figures.currency] += getattr(figures, name)
    converted: dict[str, Money] = {}
    missing: set[str] = set()
    for name in ("gmv", "commission", "refunded", "cancelled_amount"):
        total, left_out = rates.convert_totals(dict(by_currency[name]))
        converted[name] = total
        missing.update(left_out)
    return PlatformFigures(
        currency=rates.reporting_currency,
        orders=sum(f.orders for f in markets),
        units=sum(f.units for f in markets),
        cancelled_units=sum(f.cancelled_units for f in markets),
        returns=sum(f.returns for f in markets),
        claims=sum(f.claims for f in markets),
        missing_rates=sorted(missing),
        **converted,
    )


@dataclass(frozen=True, slots=True)
class Backlog:
    """What waits for an operator now, whatever the period."""

    applications_waiting: int
    escalated_cases: int
    disputes: int
    open_cases: int
    open_warnings: int
    failed_device_checks: int


def backlog() -> Backlog:
    """Five small aggregate queries. ``failed_device_checks``: trade-ins on hold because a device check (IMEI
    check digit, blocklist, lock) failed."""
    cases = Case.objects.aggregate(
        escalated=Count("pk", filter=Q(state=CaseState.ESCALATED)),
        disputes=Count("pk", filter=Q(state=CaseState.ESCALATED, escalation_reason=Escalation.REFUSAL_DISPUTED)),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
    )
    return Backlog(
        applications_waiting=SellerApplication.objects.filter(status=ApplicationStatus.SUBMITTED).count(),
        escalated_cases=cases["escalated"],
        disputes=cases["disputes"],
        open_cases=cases["open"],
        open_warnings=QualityWarning.objects.filter(resolved_on__isnull=True).count(),
        failed_device_checks=TradeIn.objects.filter(state=TradeInState.BLOCKED).count(),
    )


# --- Series and breakdowns (charts) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DailyPoint:
    day: dt.date
    gmv: Money
    orders: int


def daily_sales(*, period: domain.Period, rates: Rates, seller: Seller | None = None) -> list[DailyPoint]:
    """GMV (reporting currency) and orders per day of ``period``, zero on days without sales. For a ``seller``:
    its seller orders' totals instead. One query."""
    raw: Any
    if seller is None:
        qs = Order.objects.filter(_paid_in(period.start, period.end)).annotate(day=TruncDate("paid_at", tzinfo=dt.UTC))
        raw = (
            qs.values("day", "currency")
            .annotate(g=Sum("total"), n=Count("pk"))
            .values_list("day", "currency", "g", "n")
        )
    else:
        so = SellerOrder.objects.filter(
            seller=seller,
            order__status=OrderStatus.PAID,
            order__paid_at__gte=period.start,
            order__paid_at__lt=period.end,
        ).annotate(day=TruncDate("order__paid_at", tzinfo=dt.UTC))
        raw = (
            so.values("day", "order__currency")
            .annotate(g=Sum("total"), n=Count("pk"))
            .values_list("day", "order__currency", "g", "n")
        )
    totals: dict[dt.date, dict[str, int]] = defaultdict(dict)
    counts: dict[dt.date, int] = defaultdict(int)
    for day, currency, gmv, count in raw:
        totals[day][currency] = gmv or 0
        counts[day] += count
    return [
        DailyPoint(day=day, gmv=rates.convert_totals(totals.get(day, {}))[0], orders=counts.get(day, 0))
        for day in period.days
    ]


@dataclass(frozen=True, slots=True)
class Share:
    label: str
    value: Money


def gmv_by_category(*, period: domain.Period, rates: Rates) -> list[Share]:
    """Line totals of orders paid in ``period`` per top category, in the reporting currency, largest first. One
    query (line totals: items only, without shipping)."""
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    for name, currency, amount in (
        OrderLine.objects.filter(seller_order__order__in=Order.objects.filter(_paid_in(period.start, period.end)))
        .values("variant__product_model__category__name", "seller_order__order__currency")
        .annotate(t=Sum("line_total"))
        .values_list("variant__product_model__category__name", "seller_order__order__currency", "t")
    ):
        totals[name][currency] = amount or 0
    shares = [Share(label=name, value=rates.convert_totals(by_currency)[0]) for name, by_currency in totals.items()]
    return sorted(shares, key=lambda s: (-s.value.amount, s.label))


# --- Sellers -------------------------------------------------------------------------------------------------

SELLER_GMV_DAYS = 90


@dataclass
class SellerRow:
    seller: Seller
    gmv: Money
    open_cases: int
    escalated_cases: int
    open_warnings: int

    @property
    def open_issues(self) -> int:
        return self.open_cases + self.open_warnings


def sellers_page(sellers: list[Seller], *, today: dt.date, rates: Rates) -> list[SellerRow]:
    """The rows of one page of the seller list: 90-day GMV in the reporting currency, open cases (escalated
    among them), open quality warnings. Three queries whatever the page size."""
    ids = [s.pk for s in sellers]
    start = dt.datetime.combine(today - dt.timedelta(days=SELLER_GMV_DAYS - 1), dt.time.min, tzinfo=dt.UTC)
    gmv: dict[int, dict[str, int]] = defaultdict(dict)
    for seller_id, currency, total in (
        SellerOrder.objects.filter(seller_id__in=ids, order__status=OrderStatus.PAID, order__paid_at__gte=start)
        .values("seller_id", "order__currency")
        .annotate(t=Sum("total"))
        .values_list("seller_id", "order__currency", "t")
    ):
        gmv[seller_id][currency] = total or 0
    cases = {
        row["seller_id"]: row
        for row in Case.objects.filter(seller_id__in=ids, state__in=OPEN_STATES)
        .values("seller_id")
        .annotate(n=Count("pk"), e=Count("pk", filter=Q(state=CaseState.ESCALATED)))
    }
    warnings = dict(
        QualityWarning.objects.filter(seller_id__in=ids, resolved_on__isnull=True)
        .values("seller_id")
        .annotate(n=Count("pk"))
        .values_list("seller_id", "n")
    )
    return [
        SellerRow(
            seller=s,
            gmv=rates.convert_totals(gmv.get(s.pk, {}))[0],
            open_cases=cases[s.pk]["n"] if s.pk in cases else 0,
            escalated_cases=cases[s.pk]["e"] if s.pk in cases else 0,
            open_warnings=warnings.get(s.pk, 0),
        )
        for s in sellers
    ]


def sellers_for_console(*, standing: str = "", query: str = "") -> QuerySet[Seller]:
    """Sellers by name, filtered by standing and a name/slug fragment; escalated cases first is left to the
    page (it sorts its rows)."""
    qs = Seller.objects.order_by("name")
    if standing:
        qs = qs.filter(standing=standing)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    return qs


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One decision about a seller: who, when, what, and where it is recorded."""

    at: dt.datetime
    actor: str
    what: str
    reason: str
    reference: str


@dataclass
class Seller360:
    seller: Seller
    application: SellerApplication | None
    gmv_by_currency: list[Money]
    seller_orders: list[Any]  # SellerOrder with ``units``
    cases: list[Case]
    payouts: list[Payout]
    warnings: list[QualityWarning]
    snapshot: QualitySnapshot | None
    audit: list[AuditEntry]


RECORD_LIMIT = 20


def _actor_name(user: User | None) -> str:
    if user is None:
        return "—"
    return user.email or user.get_username()


def seller_360(*, seller: Seller, today: dt.date) -> Seller360:
    """Everything about one seller an operator needs in one place, each list capped at ``RECORD_LIMIT`` rows.
    Nine queries whatever the seller's history."""
    start = dt.datetime.combine(today - dt.timedelta(days=SELLER_GMV_DAYS - 1), dt.time.min, tzinfo=dt.UTC)
    gmv = [
        Money(total or 0, currency)
        for currency, total in SellerOrder.objects.filter(
            seller=seller, order__status=OrderStatus.PAID, order__paid_at__gte=start
        )
        .values("order__currency")
        .annotate(t=Sum("total"))
        .values_list("order__currency", "t")
        .order_by("order__currency")
    ]
    seller_orders = list(
        SellerOrder.objects.filter(seller=seller)
        .select_related("order")
        .annotate(units=Sum("lines__quantity"))
        .order_by("-order__created_at", "-pk")[:RECORD_LIMIT]
    )
    cases = list(
        Case.objects.filter(seller=seller).select_related("order", "line").order_by("-opened_at", "-pk")[:RECORD_LIMIT]
    )
    payouts = list(Payout.objects.filter(seller=seller).order_by("-run_date", "-pk")[:RECORD_LIMIT])
    warnings = list(QualityWarning.objects.filter(seller=seller).order_by("-opened_on", "-pk")[:RECORD_LIMIT])
    snapshot = QualitySnapshot.objects.filter(seller=seller).order_by("-day").first()
    application = SellerApplication.objects.filter(seller=seller).select_related("decided_by").order_by("-pk").first()
    audit: list[AuditEntry] = [
        AuditEntry(
            at=d.created_at,
            actor=_actor_name(d.actor),
            what=d.get_kind_display(),
            reason=d.reason,
            reference=d.reference,
        )
        for d in OperatorDecision.objects.filter(seller=seller).select_related("actor")[: RECORD_LIMIT * 2]
    ]
    audit += [
        AuditEntry(
            at=e.created_at,
            actor=_actor_name(e.actor),
            what=f"case {e.case_id}: {e.from_state or '—'} → {e.to_state}",
            reason=e.reason,
            reference=f"case:{e.case_id}",
        )
        for e in CaseEvent.objects.filter(case__seller=seller, role=Role.OPERATOR)
        .select_related("actor")
        .order_by("-created_at", "-pk")[: RECORD_LIMIT * 2]
    ]
    if application is not None and application.decided_at is not None:
        audit.append(
            AuditEntry(
                at=application.decided_at,
                actor=_actor_name(application.decided_by),
                what=f"application {application.get_status_display()}",
                reason=application.rejection_reason,
                reference=f"application:{application.pk}",
            )
        )
    audit.sort(key=lambda a: a.at, reverse=True)
    return Seller360(
        seller=seller,
        application=application,
        gmv_by_currency=gmv,
        seller_orders=seller_orders,
        cases=cases,
        payouts=payouts,
        warnings=warnings,
        snapshot=snapshot,
        audit=audit[: RECORD_LIMIT * 2],
    )


# --- Support search ------------------------------------------------------------------------------------------

SEARCH_LIMIT = 20
MAX_QUERY_LENGTH = 100


@dataclass
class SearchResults:
    query: str
    orders: list[Order]
    buyers: list[Any]  # User with ``order_count``
    sellers: list[Seller]
    devices: list[Device]

    @property
    def empty(self) -> bool:
        return not (self.orders or self.buyers or self.sellers or self.devices)


def support_search(*, query: str) -> SearchResults:
    """Orders by number (or buyer email), buyers by email or name, sellers by name or slug, devices by IMEI or
    serial (exact, spaces and dashes ignored). Four queries at most, ``SEARCH_LIMIT`` rows each."""
    q = query.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    if len(q) < 2:
        return SearchResults(query=q, orders=[], buyers=[], sellers=[], devices=[])
    identifier = q.replace(" ", "").replace("-", "").upper()
    orders = list(
        Order.objects.filter(Q(number__iexact=q) | Q(number__istartswith=q) | Q(buyer__email__iexact=q))
        .select_related("buyer")
        .order_by("-created_at")[:SEARCH_LIMIT]
    )
    buyers = list(
        User.objects.filter(Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
        .filter(is_staff=False)
        .annotate(order_count=Count("orders"))
        .order_by("email")[:SEARCH_LIMIT]
    )
    sellers = list(
        Seller.objects.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(legal_name__icontains=q)).order_by(
            "name"
        )[:SEARCH_LIMIT]
    )
    devices = list(
        Device.objects.filter(identifier=identifier).select_related("seller", "variant__product_model")[:SEARCH_LIMIT]
        if identifier.isascii() and identifier.isalnum()
        else []
    )
    return SearchResults(query=q, orders=orders, buyers=buyers, sellers=sellers, devices=devices)


# --- Impact --------------------------------------------------------------------------------------------------

#: Lines whose purchase counts as avoided emissions: sold and not given back.
IMPACT_EXCLUDED_STATES = (LineState.CANCELLED, LineState.REFUNDED)
KG = DecimalField(max_digits=14, decimal_places=1)


def _avoided_kg(column: str = "avoided_kgco2e") -> ExpressionWrapper:
    """A line's avoided kg CO2e: the per-unit snapshot times the quantity. For the range's ends, a line frozen
    before ranges existed (docs/adr/0042-per-offer-co2e-ranges.md) counts its point figure at both ends."""
    value = F(column) if column == "avoided_kgco2e" else Coalesce(F(column), F("avoided_kgco2e"))
    return ExpressionWrapper(value * F("quantity"), output_field=KG)


def _kg_sums() -> dict[str, Sum]:
    return {
        "kg": Sum(_avoided_kg()),
        "kg_low": Sum(_avoided_kg("avoided_kgco2e_low")),
        "kg_high": Sum(_avoided_kg("avoided_kgco2e_high")),
    }


def _tenth(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.1"))


def kept_lines() -> QuerySet[OrderLine]:
    """The lines impact counts: of paid orders, not cancelled or refunded."""
    return OrderLine.objects.filter(seller_order__order__status=OrderStatus.PAID).exclude(
        state__in=IMPACT_EXCLUDED_STATES
    )


@dataclass(frozen=True, slots=True)
class ImpactRow:
    market: str
    category: str
    month: dt.date
    units: int
    kgco2e: Decimal
    kgco2e_low: Decimal = Decimal(0)
    kgco2e_high: Decimal = Decimal(0)


def _month(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def impact_rows() -> list[ImpactRow]:
    """Avoided kg CO2e (point, low and high) per market, top category and month of payment, summed from the order
    lines' snapshots (``OrderLine.avoided_kgco2e`` is per unit; a line of 2 counts twice). Lines cancelled or
    refunded do not count; lines without a figure count as units with 0. One query."""
    lines = (
        kept_lines()
        .annotate(month=TruncMonth("seller_order__order__paid_at", tzinfo=dt.UTC))
        .values("seller_order__order__market", "variant__product_model__category__name", "month")
        .annotate(units=Sum("quantity"), **_kg_sums())
        .values_list(
            "seller_order__order__market",
            "variant__product_model__category__name",
            "month",
            "units",
            "kg",
            "kg_low",
            "kg_high",
        )
        .order_by("month", "seller_order__order__market", "variant__product_model__category__name")
    )
    return [
        ImpactRow(market, category, _month(month), units or 0, _tenth(kg), _tenth(low), _tenth(high))
        for market, category, month, units, kg, low, high in lines
    ]


@dataclass(frozen=True, slots=True)
class SellerImpactRow:
    market: str
    month: dt.date
    units: int
    kgco2e: Decimal
    kgco2e_low: Decimal
    kgco2e_high: Decimal


def seller_impact_rows(*, seller: Seller) -> list[SellerImpactRow]:
    """The avoided kg CO2e of ``seller``'s kept sales per market and month of payment, from the line snapshots
    (its own lines only). One query."""
    rows = (
        kept_lines()
        .filter(seller_order__seller=seller)
        .annotate(month=TruncMonth("seller_order__order__paid_at", tzinfo=dt.UTC))
        .values("seller_order__order__market", "month")
        .annotate(units=Sum("quantity"), **_kg_sums())
        .values_list("seller_order__order__market", "month", "units", "kg", "kg_low", "kg_high")
        .order_by("month", "seller_order__order__market")
    )
    return [
        SellerImpactRow(market, _month(month), units or 0, _tenth(kg), _tenth(low), _tenth(high))
        for market, month, units, kg, low, high in rows
    ]


@dataclass(frozen=True, slots=True)
class BuyerImpact:
    units: int
    kgco2e: Decimal
    lines: list[OrderLine]
    kgco2e_low: Decimal = Decimal(0)
    kgco2e_high: Decimal = Decimal(0)


def buyer_impact(*, buyer: User) -> BuyerImpact:
    """The avoided emissions of ``buyer``'s purchases (kept, not cancelled or refunded), with the range and the
    lines. Two queries."""
    lines = (
        kept_lines()
        .filter(seller_order__order__buyer=buyer)
        .select_related("seller_order__order")
        .order_by("-seller_order__order__paid_at", "pk")
    )
    total = lines.aggregate(units=Sum("quantity"), **_kg_sums())
    return BuyerImpact(
        units=total["units"] or 0,
        kgco2e=_tenth(total["kg"]),
        lines=list(lines[:100]),
        kgco2e_low=_tenth(total["kg_low"]),
        kgco2e_high=_tenth(total["kg_high"]),
    )


# --- A seller's own charts (back office) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QualityPoint:
    day: dt.date
    defect_rate: Decimal | None
    cancellation_rate: Decimal | None
    late_shipment_rate: Decimal | None


def seller_quality_trend(*, seller: Seller, days: int = 30) -> list[QualityPoint]:
    """The seller's 90-day rates as computed each day by the quality job, over the last ``days`` snapshots, oldest
    first. One query."""
    snapshots = list(QualitySnapshot.objects.filter(seller=seller).order_by("-day")[:days])
    return [
        QualityPoint(
            day=s.day,
            defect_rate=domain.ratio(s.defects, s.delivered_units),
            cancellation_rate=domain.ratio(s.cancellations, s.lines),
            late_shipment_rate=domain.ratio(s.late_shipments, s.shipped_lines),
        )
        for s in reversed(snapshots)
    ]


def seller_buy_box_share(*, seller: Seller) -> list[tuple[str, int, int]]:
    """Per market: (market, buy boxes the seller holds now, buy boxes it competes in). One query
    (``quality.selectors.buy_box_share_now``, which the daily share snapshot also records)."""
    return quality_selectors.buy_box_share_now(seller_id=seller.pk)
