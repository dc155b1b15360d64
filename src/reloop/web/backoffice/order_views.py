"""Seller back office: the order queues, one seller order (accept, cancel, ship) and its packing slip.

Views parse, authorize (``seller_required``), call the orders / checkout / fulfillment services and the
seller-scoped selectors, and render. Another seller's order is answered exactly like a missing one (404). The
deadlines shown are the ones the automatic cancellation applies (``checkout.auto_cancel``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from reloop.checkout.auto_cancel import acceptance_deadline, shipping_deadline
from reloop.checkout.services import cancel_seller_order
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.pagination import paginate
from reloop.fulfillment.carriers import CARRIERS
from reloop.fulfillment.services import ship_seller_order
from reloop.invoicing.selectors import seller_order_invoices
from reloop.markets.registry import market_timezone
from reloop.orders.backoffice import lines_with_categories
from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import OrderLine, SellerOrder
from reloop.orders.selectors import seller_order_for, seller_order_queue
from reloop.orders.services import accept_seller_order
from reloop.sellers.models import Seller
from reloop.web.backoffice.forms import SHIP_ERROR_FIELDS, CancelOrderForm, OrderFilterForm, ShipOrderForm
from reloop.web.backoffice.shell import seller_of, seller_required

PER_PAGE = 25

#: The queues in the order a seller works through them; ``all`` is every paid seller order.
QUEUES: list[tuple[str, Any]] = [
    ("to_accept", gettext_lazy("To accept")),
    ("to_ship", gettext_lazy("To ship")),
    ("shipped", gettext_lazy("Shipped")),
    ("delivered", gettext_lazy("Delivered")),
    ("cancelled", gettext_lazy("Cancelled")),
    ("all", gettext_lazy("All")),
]
LIVE = (LineState.PAID, LineState.ACCEPTED)


@dataclass(frozen=True)
class Deadlines:
    accept_by: dt.datetime | None  # while a line waits for acceptance
    ship_by: dt.datetime | None  # while a line waits for shipping
    overdue: bool


def deadlines(part: SellerOrder, now: dt.datetime) -> Deadlines:
    """When the seller must accept and ship this order, from its lines (loaded) and its payment time."""
    paid_at = part.order.paid_at
    lines = list(part.lines.all())
    live = [line for line in lines if line.state in LIVE]
    if paid_at is None or not live:
        return Deadlines(None, None, False)
    accept_by = acceptance_deadline(paid_at) if any(line.state == LineState.PAID for line in live) else None
    ship_by = shipping_deadline(paid_at, min(line.dispatch_days for line in live))
    return Deadlines(accept_by, ship_by, (accept_by is not None and accept_by < now) or ship_by < now)


def states(part: SellerOrder) -> list[tuple[str, str]]:
    """The distinct states of the order's lines (code, label), in line order."""
    return list(dict.fromkeys((line.state, line.get_state_display()) for line in part.lines.all()))


def _part_or_404(seller: Seller, seller_order_id: int) -> SellerOrder:
    try:
        return seller_order_for(seller=seller, seller_order_id=seller_order_id)
    except OrderNotFound as exc:
        raise Http404(exc.message) from exc


# --- Queues -----------------------------------------------------------------------------------------------


@require_safe
@seller_required
def order_list(request: HttpRequest) -> HttpResponse:
    seller = seller_of(request)
    filters = OrderFilterForm(request.GET)
    filters.is_valid()
    queue = request.GET.get("queue", "all")
    queue = queue if queue in dict(QUEUES) else "all"
    market, search = filters.value("market") or None, filters.value("q")

    def of(name: str) -> Any:
        return seller_order_queue(seller=seller, queue=None if name == "all" else name, market=market, search=search)

    counts = [(name, label, of(name).count()) for name, label in QUEUES]
    page = paginate(of(queue), page=int(filters.value("page") or 1), page_size=PER_PAGE)
    now = clock.now()
    rows = [(part, deadlines(part, now), market_timezone(part.order.market), states(part)) for part in page.items]
    base = request.GET.copy()
    base.pop("page", None)
    keep = base.copy()
    keep.pop("queue", None)
    return render(
        request,
        "web/backoffice/orders/list.html",
        {
            "filters": filters,
            "queue": queue,
            "queues": counts,
            "rows": rows,
            "page": page,
            "pages": page.meta()["pages"],
            "page_query": base.urlencode(),
            "filter_query": keep.urlencode(),
        },
    )


# --- One seller order -------------------------------------------------------------------------------------


def _ship_form(request: HttpRequest, part: SellerOrder, data: Any = None) -> ShipOrderForm | None:
    if not any(line.state in LIVE for line in part.lines.all()) or part.shipments.all():
        return None
    lines = [
        line for line in lines_with_categories(seller=seller_of(request), seller_order_id=part.pk) if line.state in LIVE
    ]
    return ShipOrderForm(data, lines=lines, market=part.order.market)


def _shipment_view(part: SellerOrder) -> dict[str, Any] | None:
    shipments = list(part.shipments.all())
    if not shipments:
        return None
    shipment = shipments[0]
    carrier = CARRIERS.get(shipment.carrier)
    units = {str(k): v for k, v in (shipment.units or {}).items()}
    return {
        "shipment": shipment,
        "carrier": carrier.name if carrier else shipment.carrier,
        "tracking_url": carrier.url_for(shipment.tracking_number) if carrier else None,
        "lines": [(line, units.get(str(line.pk), [])) for line in part.lines.all() if str(line.pk) in units],
        "events": list(shipment.events.all()),
    }


def _render_detail(request: HttpRequest, part: SellerOrder, status: int = 200, **forms: Any) -> HttpResponse:
    lines = list(part.lines.all())
    return render(
        request,
        "web/backoffice/orders/detail.html",
        {
            "part": part,
            "order": part.order,
            "tz": market_timezone(part.order.market),
            "lines": lines,
            "deadlines": deadlines(part, clock.now()),
            "can_accept": any(line.state == LineState.PAID for line in lines),
            "can_cancel": any(line.state in LIVE for line in lines),
            "cancel_form": forms.get("cancel") or CancelOrderForm(),
            "ship_form": forms["ship"] if "ship" in forms else _ship_form(request, part),
            "shipped": _shipment_view(part),
            "invoices": list(seller_order_invoices(seller=seller_of(request), seller_order_id=part.pk)),
        },
        status=status,
    )


@require_safe
@seller_required
def order_detail(request: HttpRequest, seller_order_id: int) -> HttpResponse:
    return _render_detail(request, _part_or_404(seller_of(request), seller_order_id))


@require_POST
@seller_required
def order_accept(request: HttpRequest, seller_order_id: int) -> HttpResponse:
    seller = seller_of(request)
    part = _part_or_404(seller, seller_order_id)
    try:
        accept_seller_order(actor=request.user, seller=seller, seller_order_id=part.pk)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Order %(number)s accepted: ship it by the date shown.") % {"number": part.order.number}
        )
    return redirect("seller:order", seller_order_id=part.pk)


@require_POST
@seller_required
def order_cancel(request: HttpRequest, seller_order_id: int) -> HttpResponse:
    seller = seller_of(request)
    part = _part_or_404(seller, seller_order_id)
    form = CancelOrderForm(request.POST)
    if form.is_valid():
        try:
            cancel_seller_order(
                actor=request.user,  # type: ignore[arg-type]
                seller=seller,
                seller_order_id=part.pk,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error("reason" if exc.code == "invalid_reason" else None, exc.message)
        else:
            messages.success(
                request, _("Order %(number)s cancelled; the buyer is refunded.") % {"number": part.order.number}
            )
            return redirect("seller:order", seller_order_id=part.pk)
    return _render_detail(request, part, cancel=form)


@require_POST
@seller_required
def order_ship(request: HttpRequest, seller_order_id: int) -> HttpResponse:
    seller = seller_of(request)
    part = _part_or_404(seller, seller_order_id)
    form = _ship_form(request, part, request.POST)
    if form is None:
        messages.error(request, _("This order has nothing left to ship; its shipping details cannot change."))
        return redirect("seller:order", seller_order_id=part.pk)
    if form.is_valid():
        try:
            ship_seller_order(
                actor=request.user,  # type: ignore[arg-type]
                seller=seller,
                seller_order_id=part.pk,
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
                units=form.cleaned_data["units"],
            )
        except DomainError as exc:
            form.add_error(SHIP_ERROR_FIELDS.get(exc.code), exc.message)
        else:
            messages.success(request, _("Order %(number)s shipped.") % {"number": part.order.number})
            return redirect("seller:order", seller_order_id=part.pk)
    return _render_detail(request, part, ship=form)


@require_safe
@seller_required
def packing_slip(request: HttpRequest, seller_order_id: int) -> HttpResponse:
    """A printable slip for the parcel: who sends what to whom, with each unit's IMEI or serial once shipped."""
    part = _part_or_404(seller_of(request), seller_order_id)
    shipped = _shipment_view(part)
    units = {line.pk: u for line, u in shipped["lines"]} if shipped else {}
    lines: list[tuple[OrderLine, list[str]]] = [
        (line, units.get(line.pk, [])) for line in part.lines.all() if line.state != LineState.CANCELLED
    ]
    return render(
        request,
        "web/backoffice/orders/packing_slip.html",
        {
            "part": part,
            "order": part.order,
            "tz": market_timezone(part.order.market),
            "seller": seller_of(request),
            "lines": lines,
            "shipped": shipped,
        },
    )
