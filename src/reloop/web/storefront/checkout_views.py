"""Checkout: the total before the pay button, the hand-over to the payment provider, and the buyer's return.

The checkout page never asks for a card: it reserves the units and creates the payment, then sends the buyer to
the provider's own page. The provider sends them back to ``checkout_return``, which asks the provider where the
payment stands and settles the order (the webhook may have done it already: whichever comes first, once).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reloop.accounts import services as accounts
from reloop.accounts.domain import ADDRESS_FIELDS
from reloop.accounts.errors import InvalidAddress
from reloop.accounts.forms import AddressForm
from reloop.accounts.selectors import addresses_for
from reloop.buyback.credit import available_credit
from reloop.checkout import services as checkout
from reloop.checkout.failures import failure_message
from reloop.checkout.models import PaymentState
from reloop.checkout.selectors import checkout_summary, instalment_plans, payment_for_buyer, review_cart
from reloop.checkout.settlement import settle_payment
from reloop.core.errors import DomainError
from reloop.legal.domain import TERMS_OF_SALE
from reloop.legal.services import record_acceptance
from reloop.orders.models import OrderStatus
from reloop.web.storefront.forms import CheckoutForm
from reloop.web.storefront.shop_views import _cart, refresh_cart_count, remember_cart_count


def _plans(total: Any) -> list[Any]:
    """The provider's instalment plans for the grand total (none outside its limits or currencies)."""
    return instalment_plans(amount=total)


def _delivery(request: HttpRequest) -> dict[str, str] | None:
    """The delivery address typed so far, else the buyer's saved one in this market: US sales tax is quoted from
    its state before the buyer pays (reloop.markets.tax)."""
    if request.method == "POST" and "region" in request.POST:
        return {name: request.POST.get(name, "")[:100] for name in ("region", "postal_code", "city")}
    country = request.market.country  # type: ignore[attr-defined]
    saved = [a for a in addresses_for(user=request.user) if a.country == country]  # type: ignore[arg-type]
    return {"region": saved[0].region, "postal_code": saved[0].postal_code, "city": saved[0].city} if saved else None


SAVE_ADDRESS = "save_address:{number}"  # the session's address to save once order {number} is paid


def _keep_address_for(request: HttpRequest, *, number: str, address: dict[str, str]) -> None:
    """The buyer ticked "save this address": remember it until the order is paid (then ``_save_address``)."""
    if request.POST.get("save_address") == "1":
        request.session[SAVE_ADDRESS.format(number=number)] = address


def _save_address(request: HttpRequest, *, number: str) -> None:
    """Order ``number`` is paid: save the address its buyer asked to keep, unless it is saved already. A refusal
    (their 30 addresses, a country no market delivers to) is told, never in the order's way."""
    address = request.session.pop(SAVE_ADDRESS.format(number=number), None)
    if not address:
        return
    key = [address.get(f, "") for f in ("country", *ADDRESS_FIELDS)]
    saved = addresses_for(user=request.user)  # type: ignore[arg-type]
    if any([getattr(a, f) for f in ("country", *ADDRESS_FIELDS)] == key for a in saved):
        return
    try:
        accounts.add_address(user=request.user, data=address)  # type: ignore[arg-type]
    except InvalidAddress as exc:
        reasons = " ".join(str(m) for field in exc.field_errors.values() for m in field)
        messages.warning(request, _("Your address was not saved to your account: %(reason)s") % {"reason": reasons})
    else:
        messages.info(request, _("The delivery address is saved to your account."))


def _context(request: HttpRequest, review: Any, form: CheckoutForm) -> dict[str, Any]:
    summary = checkout_summary(review=review, shipping=form.chosen_shipping(), address=_delivery(request))
    return {"review": review, "form": form, "summary": summary, "plans": _plans(summary.grand_total)}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkout_page(request: HttpRequest) -> HttpResponse:
    market = request.market  # type: ignore[attr-defined]
    if request.method == "POST":
        # A form sent again after it went through (double click, back button) finds its order first: the cart
        # may be empty by now, and the buyer belongs on the order, not on an empty cart.
        done = checkout.resume_checkout(buyer=request.user, idempotency_key=request.POST.get("idempotency_key", ""))  # type: ignore[arg-type]
        if done is not None and done.status == OrderStatus.PAID:
            return HttpResponseRedirect(reverse("web:order", args=[done.number]))
    current = _cart(request)
    review = review_cart(cart=current, currency=market.currency)
    remember_cart_count(request, review.count)
    if not review.items:
        return HttpResponseRedirect(reverse("web:cart"))
    probe = CheckoutForm(request.POST or None, market=market, review=review)
    summary = checkout_summary(review=review, shipping=probe.chosen_shipping(), address=_delivery(request))
    form = CheckoutForm(request.POST or None, market=market, review=review, plans=_plans(summary.grand_total))
    saved = [a for a in addresses_for(user=request.user) if a.country == market.country]  # type: ignore[arg-type]
    address_form = AddressForm(
        request.POST or None,
        country=market.country,
        countries=[market.country],
        initial={f: getattr(saved[0], f) for f in ADDRESS_FIELDS} if saved else None,  # the default address first
        can_make_default=False,
    )
    paying = request.method == "POST" and request.POST.get("action") != "update"
    if paying and form.is_valid() and address_form.is_valid():
        try:
            started = checkout.start_checkout(
                checkout=checkout.Checkout(
                    buyer=request.user,  # type: ignore[arg-type]
                    cart=current,
                    shipping_address=address_form.address_data.as_dict(),
                    shipping=form.shipping_choices(),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    return_url=request.build_absolute_uri(reverse("web:checkout_return")),
                    expected_total=form.cleaned_data.get("expected_total"),
                    instalments=form.cleaned_data.get("instalments") or 1,
                    use_credit=request.POST.get("use_credit") == "1",  # trade-in credit (docs/trade-in.md)
                    review=review,  # read for this page a moment ago: placement does not read the cart again
                )
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            if exc.code in {"price_changed", "sold_out"}:
                messages.error(request, exc.message)
                return HttpResponseRedirect(reverse("web:cart"))
            if exc.code == "total_changed":  # a new attempt at the new total
                data = request.POST.copy()
                data["idempotency_key"] = uuid.uuid4().hex
                form = CheckoutForm(data, market=market, review=review, plans=_plans(summary.grand_total))
                form.is_valid()
                form.add_error(None, exc.message)
        else:
            # The version of the terms of sale the buyer accepted with this order (reloop.legal).
            record_acceptance(
                user=request.user,  # type: ignore[arg-type]
                market=market.code,
                kind=TERMS_OF_SALE,
                context="checkout",
                reference=started.order.number,
            )
            _keep_address_for(request, number=started.order.number, address=address_form.address_data.as_dict())
            if started.redirect_url:  # on to the provider's page
                return HttpResponseRedirect(started.redirect_url)
            refresh_cart_count(request)  # paid at once: the order's lines left the cart
            _save_address(request, number=started.order.number)
            return HttpResponseRedirect(reverse("web:order", args=[started.order.number]))
    if request.method != "POST":
        form.initial["idempotency_key"] = uuid.uuid4().hex
    context = _context(request, review, form)
    context["address_form"] = address_form
    # Offer to keep the address typed here: ticked for a buyer with no address in this market's country yet
    context["save_address"] = request.POST.get("save_address") == "1" if request.method == "POST" else not saved
    context["reloop_credit"] = available_credit(user_id=request.user.pk or 0, currency=market.currency)
    return render(request, "web/storefront/checkout.html", context)


@login_required
@require_POST
def checkout_summary_partial(request: HttpRequest) -> HttpResponse:
    """HTMX: the order summary for the shipping methods picked so far (nothing is reserved or saved)."""
    market = request.market  # type: ignore[attr-defined]
    review = review_cart(cart=_cart(request), currency=market.currency)
    if not review.items:
        return HttpResponse(status=204)
    form = CheckoutForm(request.POST, market=market, review=review)
    return render(request, "web/storefront/checkout/_summary.html", _context(request, review, form))


@login_required
@require_safe
def checkout_return(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the buyer back (``?payment=<reference>``; Stripe's ``?payment_intent=``)."""
    reference = request.GET.get("payment") or request.GET.get("payment_intent") or ""
    record = payment_for_buyer(buyer=request.user, reference=reference[:100])  # type: ignore[arg-type]
    if record is None:
        raise Http404(_("No such payment"))
    order = settle_payment(reference=record.reference, source="redirect") or record.order
    refresh_cart_count(request)  # a paid order's lines left the cart
    if order.status == OrderStatus.PAID:
        messages.success(request, _("Payment received: your order is placed."))
        _save_address(request, number=order.number)
    elif order.status == OrderStatus.PAYMENT_FAILED:
        messages.error(request, failure_message(order.failure_reason))  # the code, in the buyer's language
        return HttpResponseRedirect(reverse("web:checkout"))
    elif order.status == OrderStatus.EXPIRED:
        record.refresh_from_db(fields=["state"])
        if record.state == PaymentState.REFUNDED:
            messages.error(request, _("Your reservation expired before the payment arrived: it was refunded in full."))
        else:
            messages.error(
                request,
                _("Your reservation expired before the payment went through; you have not been charged."),
            )
        return HttpResponseRedirect(reverse("web:cart"))
    return HttpResponseRedirect(reverse("web:order", args=[order.number]))
