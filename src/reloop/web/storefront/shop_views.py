"""Cart and the buyer's orders (checkout is ``checkout_views``). Views parse, call one service or selector, and
render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reloop.aftersales.selectors import order_aftersales
from reloop.checkout import services as checkout
from reloop.checkout.selectors import find_cart, review_cart, unpaid_order
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.invoicing.selectors import order_invoices
from reloop.orders import selectors as orders
from reloop.orders.errors import OrderNotFound
from reloop.reviews.selectors import review_slots
from reloop.web.context_processors import CART_COUNTS


def _session_key(request: HttpRequest) -> str:
    return f"cart:{request.market.code}"  # type: ignore[attr-defined]


def cart_token(request: HttpRequest) -> str | None:
    return request.session.get(_session_key(request)) if hasattr(request, "session") else None


def _cart(request: HttpRequest, *, create: bool = False) -> Any:
    market = request.market.code  # type: ignore[attr-defined]
    user = request.user if request.user.is_authenticated else None
    if not create:
        return find_cart(user=user, token=cart_token(request), market=market)
    cart = checkout.ensure_cart(user=user, token=cart_token(request), market=market)
    if user is None:
        request.session[_session_key(request)] = str(cart.token)
    return cart


def remember_cart_count(request: HttpRequest, count: int) -> None:
    """Keep the number of items for the header's cart link (``context_processors.cart_count``). The session is
    written only when the number changed, and a visitor with an empty cart gets no session for it."""
    counts = request.session.get(CART_COUNTS) or {}
    market = request.market.code  # type: ignore[attr-defined]
    if counts.get(market, 0) == count:
        return
    counts = {code: n for code, n in counts.items() if code != market}
    if count:
        counts[market] = count
    request.session[CART_COUNTS] = counts


def refresh_cart_count(request: HttpRequest) -> None:
    """Count the cart again after it changed: a line added or changed, signing in (the anonymous cart joins the
    buyer's), an order paid (its lines leave the cart)."""
    remember_cart_count(request, review_cart(cart=_cart(request), currency=request.market.currency).count)  # type: ignore[attr-defined]


@require_safe
def cart(request: HttpRequest) -> HttpResponse:
    review = review_cart(cart=_cart(request), currency=request.market.currency)  # type: ignore[attr-defined]
    remember_cart_count(request, review.count)
    return render(request, "web/storefront/cart.html", {"review": review})


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    try:
        offer_id = int(request.POST.get("offer", ""))
        quantity = int(request.POST.get("quantity", "1"))
        unit_id = int(request.POST["unit"]) if request.POST.get("unit") else None  # a unit the buyer chose
    except ValueError:
        messages.error(request, _("That offer could not be added."))
        return HttpResponseRedirect(reverse("web:cart"))
    try:
        checkout.add_to_cart(cart=_cart(request, create=True), offer_id=offer_id, quantity=quantity, unit_id=unit_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Added to your cart."))
        refresh_cart_count(request)
    return HttpResponseRedirect(reverse("web:cart"))


@require_POST
def cart_update(request: HttpRequest, line_id: int) -> HttpResponse:
    current = _cart(request)
    if current is None:
        return HttpResponseRedirect(reverse("web:cart"))
    try:
        if request.POST.get("action") == "confirm_prices":
            checkout.confirm_prices(cart=current)
        else:
            checkout.set_quantity(cart=current, line_id=line_id, quantity=int(request.POST.get("quantity", "0")))
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Please enter a quantity from 0 to 5.")))
    else:
        refresh_cart_count(request)
    return HttpResponseRedirect(reverse("web:cart"))


@login_required
@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/storefront/orders.html", {"orders": orders.buyer_orders(buyer=request.user)})  # type: ignore[arg-type]


@login_required
@require_safe
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = orders.buyer_order(buyer=request.user, number=number)  # type: ignore[arg-type]
    except OrderNotFound as exc:
        # Not paid (yet): the buyer sees where the payment stands rather than a 404 (docs/payments.md).
        unpaid = unpaid_order(buyer=request.user, number=number)  # type: ignore[arg-type]
        if unpaid is None:
            raise Http404(str(exc)) from exc
        return render(request, "web/storefront/order_unpaid.html", {"order": unpaid.order, "payment": unpaid.payment})
    lines = [line for part in order.seller_orders.all() for line in part.lines.all()]
    return render(
        request,
        "web/storefront/order.html",
        {
            "order": order,
            "review_slots": review_slots(lines=lines),  # one query for every line's review
            "line_aftersales": order_aftersales(order=order, lines=lines, now=clock.now()),  # one query: cases
            "invoices": list(order_invoices(buyer=request.user, number=number)),  # type: ignore[arg-type]  # one query
        },
    )
