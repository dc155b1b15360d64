"""The operator API at ``/api/v1/operator/`` (docs/operator-console.md): the console's reads (figures, sellers, a
seller's record, cases, the support search) and its decisions (seller standing, applications, cases), for a
back-office integration. Staff only, by session (with CSRF) or a staff member's bearer token; each route checks
the same permission as its console page (console/roles.py), and calls the same selectors and services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, Literal, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from reloop.accounts.models import User
from reloop.aftersales import selectors as aftersales
from reloop.aftersales.models import Case
from reloop.api.buyer import BuyerIn, MoneyOut, _money
from reloop.api.buyer_auth import STAFF_AUTH
from reloop.api.errors import ErrorOut
from reloop.api.idempotency import idempotent
from reloop.console import domain, roles, selectors
from reloop.console import services as console
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.core.pagination import paginate
from reloop.sellers import selectors as sellers
from reloop.sellers import services as vetting

router = Router(tags=["operator"], auth=STAFF_AUTH)
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
F = TypeVar("F", bound=Callable[..., Any])


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


def requires(permission: str) -> Callable[[F], F]:
    """403 ``forbidden`` unless the staff member holds ``permission``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.auth.has_perm(permission):  # type: ignore[attr-defined]
                raise Forbidden(_("Your role does not allow this"))
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _rate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# --- Figures -------------------------------------------------------------------------------------------------


class MarketFiguresOut(Schema):
    market: str
    currency: str
    gmv: int = Field(..., description="Minor units of the market's currency")
    orders: int
    average_basket: int | None
    commission: int
    take_rate: float | None = Field(None, description="Commission / GMV", examples=[0.1])
    refunded: int
    refund_rate: float | None
    cancelled_amount: int
    units: int
    returns: int
    return_rate: float | None
    claims: int
    claim_rate: float | None
    cancelled_units: int
    cancellation_rate: float | None


class RateOut(Schema):
    currency: str
    per_eur: str = Field(..., examples=["0.86979"])
    as_of: dt.date
    source: str


class PlatformOut(Schema):
    currency: str = Field(..., description="The reporting currency", examples=["EUR"])
    gmv: MoneyOut
    orders: int
    average_basket: MoneyOut | None
    take_rate: float | None
    refund_rate: float | None
    return_rate: float | None
    claim_rate: float | None
    cancellation_rate: float | None
    missing_rates: list[str]


class BacklogOut(Schema):
    applications_waiting: int
    escalated_cases: int
    disputes: int
    open_cases: int
    open_warnings: int
    failed_device_checks: int


class FiguresOut(Schema):
    first_day: dt.date
    last_day: dt.date
    platform: PlatformOut
    markets: list[MarketFiguresOut]
    rates: list[RateOut]
    backlog: BacklogOut


class PeriodQuery(Schema):
    period: Literal["7d", "30d", "90d"] = Field("30d", description="Days ending today (UTC)")


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="The console's figures")
@requires(roles.VIEW_FIGURES)
def figures(request: HttpRequest, query: Query[PeriodQuery]) -> FiguresOut:
    """The console home's figures: per market and in the reporting currency (definitions in
    docs/operator-console.md), the exchange rates used, and what waits for an operator."""
    period = domain.period_ending(clock.today(), query.period)
    rates = selectors.rates_on(period.last)
    markets = selectors.market_figures(start=period.start, end=period.end)
    platform = selectors.platform_figures(markets, rates)
    basket = platform.average_basket
    backlog = selectors.backlog()
    return FiguresOut(
        first_day=period.first,
        last_day=period.last,
        platform=PlatformOut(
            currency=platform.currency,
            gmv=_money(platform.gmv),
            orders=platform.orders,
            average_basket=_money(basket) if basket else None,
            take_rate=_rate(platform.take_rate),
            refund_rate=_rate(platform.refund_rate),
            return_rate=_rate(platform.return_rate),
            claim_rate=_rate(platform.claim_rate),
            cancellation_rate=_rate(platform.cancellation_rate),
            missing_rates=platform.missing_rates,
        ),
        markets=[
            MarketFiguresOut(
                market=f.market,
                currency=f.currency,
                gmv=f.gmv,
                orders=f.orders,
                average_basket=f.average_basket.amount if f.average_basket else None,
                commission=f.commission,
                take_rate=_rate(f.take_rate),
                refunded=f.refunded,
                refund_rate=_rate(f.refund_rate),
                cancelled_amount=f.cancelled_amount,
                units=f.units,
                returns=f.returns,
                return_rate=_rate(f.return_rate),
                claims=f.claims,
                claim_rate=_rate(f.claim_rate),
                cancelled_units=f.cancelled_units,
                cancellation_rate=_rate(f.cancellation_rate),
            )
            for f in markets
        ],
        rates=[
            RateOut(currency=r.currency, per_eur=str(r.per_eur), as_of=r.as_of, source=r.source) for r in rates.rows
        ],
        backlog=BacklogOut(**{k: getattr(backlog, k) for k in BacklogOut.model_fields}),
    )


# --- Sellers -------------------------------------------------------------------------------------------------


class SellerRowOut(Schema):
    slug: str
    name: str
    standing: str
    quality_score: int
    gmv_90_days: MoneyOut = Field(..., description="In the reporting currency")
    open_cases: int
    escalated_cases: int
    open_warnings: int


class SellerListOut(Schema):
    count: int
    page: int
    pages: int
    items: list[SellerRowOut]


class SellerQuery(Schema):
    standing: Literal["", "pending", "active", "suspended"] = ""
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=10_000)


@router.get("/sellers", response={200: SellerListOut, **ERRORS}, summary="Sellers with standing, score, GMV, issues")
@requires(roles.VIEW_SELLER_360)
def list_sellers(request: HttpRequest, query: Query[SellerQuery]) -> SellerListOut:
    paged = paginate(
        selectors.sellers_for_console(standing=query.standing, query=query.q.replace("\x00", "")),
        page=query.page,
        page_size=50,
    )
    today = clock.today()
    rows = selectors.sellers_page(paged.items, today=today, rates=selectors.rates_on(today))
    meta = paged.meta()
    return SellerListOut(
        count=meta["count"],
        page=meta["page"],
        pages=meta["pages"],
        items=[
            SellerRowOut(
                slug=r.seller.slug,
                name=r.seller.name,
                standing=r.seller.standing,
                quality_score=r.seller.quality_score,
                gmv_90_days=_money(r.gmv),
                open_cases=r.open_cases,
                escalated_cases=r.escalated_cases,
                open_warnings=r.open_warnings,
            )
            for r in rows
        ],
    )


class AuditOut(Schema):
    at: dt.datetime
    actor: str
    what: str
    reason: str
    reference: str


class CaseSummaryOut(Schema):
    id: int
    kind: str
    state: str
    escalation_reason: str
    opened_at: dt.datetime


class SellerOut(Schema):
    slug: str
    name: str
    standing: str
    quality_score: int
    country: str
    gmv_90_days: list[MoneyOut] = Field(..., description="Per currency")
    cases: list[CaseSummaryOut]
    audit: list[AuditOut]


def _seller_out(slug: str) -> SellerOut:
    seller = sellers.seller_by_slug(slug[:140])
    record = selectors.seller_360(seller=seller, today=clock.today())
    return SellerOut(
        slug=seller.slug,
        name=seller.name,
        standing=seller.standing,
        quality_score=seller.quality_score,
        country=seller.country,
        gmv_90_days=[_money(m) for m in record.gmv_by_currency],
        cases=[
            CaseSummaryOut(
                id=c.pk, kind=c.kind, state=c.state, escalation_reason=c.escalation_reason, opened_at=c.opened_at
            )
            for c in record.cases
        ],
        audit=[
            AuditOut(at=a.at, actor=a.actor, what=a.what, reason=a.reason, reference=a.reference) for a in record.audit
        ],
    )


@router.get("/sellers/{slug}", response={200: SellerOut, **ERRORS}, summary="A seller's record")
@requires(roles.VIEW_SELLER_360)
def get_seller(request: HttpRequest, slug: str) -> SellerOut:
    return _seller_out(slug)


class StandingIn(BuyerIn):
    standing: Literal["active", "suspended"]
    reason: str = Field(..., min_length=1, max_length=500, examples=["Counterfeit parts reported by 3 buyers"])


@router.post("/sellers/{slug}/standing", response={200: SellerOut, **ERRORS}, summary="Suspend or reactivate")
@idempotent
@requires(roles.VET_SELLERS)
def set_standing(request: HttpRequest, slug: str, payload: StandingIn) -> SellerOut:
    seller = sellers.seller_by_slug(slug[:140])
    console.decide_seller_standing(
        actor=_actor(request), seller=seller, standing=payload.standing, reason=payload.reason
    )
    return _seller_out(slug)


# --- Applications (vetting) ----------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    trading_name: str
    legal_name: str
    country: str
    status: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    rejection_reason: str


class ApplicationListOut(Schema):
    items: list[ApplicationOut]


class ApplicationQuery(Schema):
    status: Literal["submitted", "approved", "rejected"] = "submitted"


def _application_out(a: Any) -> ApplicationOut:
    return ApplicationOut(
        id=a.pk,
        trading_name=a.trading_name,
        legal_name=a.legal_name,
        country=a.country,
        status=a.status,
        submitted_at=a.submitted_at,
        decided_at=a.decided_at,
        rejection_reason=a.rejection_reason,
    )


@router.get("/applications", response={200: ApplicationListOut, **ERRORS}, summary="Seller applications")
@requires(roles.VET_SELLERS)
def list_applications(request: HttpRequest, query: Query[ApplicationQuery]) -> ApplicationListOut:
    return ApplicationListOut(
        items=[_application_out(a) for a in sellers.applications_for_review(status=query.status)[:200]]
    )


class RejectIn(BuyerIn):
    reason: str = Field(..., min_length=1, max_length=500)


@router.post("/applications/{application_id}/approve", response={200: ApplicationOut, **ERRORS}, summary="Approve")
@idempotent
@requires(roles.VET_SELLERS)
def approve(request: HttpRequest, application_id: int) -> ApplicationOut:
    vetting.approve_seller_application(actor=_actor(request), application_id=application_id)
    return _application_out(sellers.application_for_review(application_id=application_id))


@router.post("/applications/{application_id}/reject", response={200: ApplicationOut, **ERRORS}, summary="Reject")
@idempotent
@requires(roles.VET_SELLERS)
def reject(request: HttpRequest, application_id: int, payload: RejectIn) -> ApplicationOut:
    vetting.reject_seller_application(actor=_actor(request), application_id=application_id, reason=payload.reason)
    return _application_out(sellers.application_for_review(application_id=application_id))


# --- Cases ---------------------------------------------------------------------------------------------------


class OperatorCaseOut(Schema):
    id: int
    kind: str
    state: str
    reason: str
    description: str
    escalation_reason: str
    seller: str
    order: str
    currency: str
    opened_at: dt.datetime
    escalated_at: dt.datetime | None
    resolution: str
    refund_amount: int | None = Field(description="Goods refunded, minor units (null: no refund claimed)")
    refund_tax: int = Field(0, description="US sales tax given back on top of refund_amount, minor units")


class CaseListOut(Schema):
    items: list[OperatorCaseOut]


class CaseQuery(Schema):
    queue: Literal["escalated", "open", "closed", "all"] = "escalated"


def _case_out(c: Case) -> OperatorCaseOut:
    return OperatorCaseOut(
        id=c.pk,
        kind=c.kind,
        state=c.state,
        reason=c.reason,
        description=c.description,
        escalation_reason=c.escalation_reason,
        seller=c.seller.slug,
        order=c.order.number,
        currency=c.currency,
        opened_at=c.opened_at,
        escalated_at=c.escalated_at,
        resolution=c.resolution,
        refund_amount=c.refund_amount,
        refund_tax=c.refund_tax,
    )


@router.get("/cases", response={200: CaseListOut, **ERRORS}, summary="Cases by queue")
@requires(roles.VIEW_CASES)
def list_cases(request: HttpRequest, query: Query[CaseQuery]) -> CaseListOut:
    cases = aftersales.operator_cases(queue=None if query.queue == "all" else query.queue)
    return CaseListOut(items=[_case_out(c) for c in cases[: aftersales.LIST_LIMIT]])


@router.get("/cases/{case_id}", response={200: OperatorCaseOut, **ERRORS}, summary="One case")
@requires(roles.VIEW_CASES)
def get_case(request: HttpRequest, case_id: int) -> OperatorCaseOut:
    return _case_out(aftersales.operator_case(case_id=case_id))


class DecisionIn(BuyerIn):
    decision: Literal["refund", "close"] = Field(..., description="Refund the buyer at the seller's expense, or close")
    note: str = Field(..., min_length=1, max_length=2000, description="Told to both parties")
    amount: int | None = Field(None, ge=1, description="Refund in minor units (default: what is left to refund)")


@router.post("/cases/{case_id}/decision", response={200: OperatorCaseOut, **ERRORS}, summary="Decide a case")
@idempotent
@requires(roles.DECIDE_CASES)
def decide(request: HttpRequest, case_id: int, payload: DecisionIn) -> OperatorCaseOut:
    case = aftersales.operator_case(case_id=case_id)
    amount = Money(payload.amount, case.currency) if payload.amount is not None else None
    console.decide_case(
        actor=_actor(request), case_id=case_id, decision=payload.decision, note=payload.note, amount=amount
    )
    return _case_out(aftersales.operator_case(case_id=case_id))


# --- Support search ------------------------------------------------------------------------------------------


class SearchQuery(Schema):
    q: str = Field(..., min_length=2, max_length=100)


class FoundOrderOut(Schema):
    number: str
    buyer: str | None
    market: str
    status: str
    total: MoneyOut


class FoundDeviceOut(Schema):
    kind: str
    identifier: str
    model: str
    last_seller: str


class SupportSearchOut(Schema):
    orders: list[FoundOrderOut]
    buyers: list[str] = Field(..., description="Emails")
    sellers: list[str] = Field(..., description="Slugs")
    devices: list[FoundDeviceOut]


@router.get("/search", response={200: SupportSearchOut, **ERRORS}, summary="Support search")
@requires(roles.SEARCH_CUSTOMERS)
def support_search(request: HttpRequest, query: Query[SearchQuery]) -> SupportSearchOut:
    found = selectors.support_search(query=query.q)
    return SupportSearchOut(
        orders=[
            FoundOrderOut(
                number=o.number,
                buyer=o.buyer.email,
                market=o.market,
                status=o.status,
                total=_money(o.total, o.currency, o.market),
            )
            for o in found.orders
        ],
        buyers=[b.email or "" for b in found.buyers],
        sellers=[s.slug for s in found.sellers],
        devices=[
            FoundDeviceOut(
                kind=d.kind, identifier=d.identifier, model=str(d.variant.product_model), last_seller=d.seller.slug
            )
            for d in found.devices
        ],
    )
