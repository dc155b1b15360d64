"""Buyer after-sales pages under the market prefix: open a return or a warranty claim on an order line, follow a
case (deadlines, thread, history), ship the unit back, dispute a refusal, see the case's photos.

Views parse, authorize through the buyer-scoped selectors (another buyer's case is a 404 like a missing one), call
one service, and render; a refused step becomes a form error, never a 5xx. The photo view is shared with the
seller and operator pages: a photo is only ever served to a participant of its case, never from a public URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from reloop.aftersales import selectors, services
from reloop.aftersales.domain import CaseKind, CaseState, Reason, reasons_for
from reloop.aftersales.errors import CaseNotFound
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.web.case_pages import case_context, form_failed, photo_response
from reloop.web.form_parts import NoteForm, photos_of
from reloop.web.storefront.aftersales_forms import DisputeForm, OpenCaseForm, ShipBackForm


def _buyer(request: HttpRequest) -> Any:
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    """``?kind=return`` or ``?kind=warranty``: the form to open that case on one of the buyer's delivered lines."""
    try:
        line = selectors.buyer_line(buyer=_buyer(request), line_id=line_id)
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
    order = line.seller_order.order
    if order.number != number:
        raise Http404("No such order line")
    kind = request.GET.get("kind") or request.POST.get("kind") or CaseKind.RETURN
    if kind not in CaseKind.values:
        raise Http404("Unknown kind of case")
    info = selectors.order_aftersales(order=order, lines=[line], now=clock.now())[line.pk]
    order_url = reverse("web:order", kwargs={"number": order.number})
    form = OpenCaseForm(request.POST or None, request.FILES or None, reasons=reasons_for(kind))
    if kind not in info.kinds:
        if info.case is not None and info.case.is_open:
            return HttpResponseRedirect(reverse("web:case", kwargs={"case_id": info.case.pk}))
        messages.error(
            request,
            _("This item can no longer be returned.")
            if kind == CaseKind.RETURN
            else _("This item's warranty is over."),
        )
        return HttpResponseRedirect(order_url)
    if request.method == "POST" and form.is_valid():
        opener = services.open_return if kind == CaseKind.RETURN else services.open_warranty_claim
        try:
            if form.cleaned_data["reason"] == Reason.BATTERY_BELOW_FLOOR:  # the claim comes with the reading
                case = services.open_battery_claim(
                    actor=_buyer(request),
                    line_id=line.pk,
                    battery_reading=form.cleaned_data["battery_reading"],
                    description=form.cleaned_data["description"],
                    photos=photos_of(form.cleaned_data["photos"]),
                )
            else:
                case = opener(
                    actor=_buyer(request),
                    line_id=line.pk,
                    reason=form.cleaned_data["reason"],
                    description=form.cleaned_data["description"],
                    photos=photos_of(form.cleaned_data["photos"]),
                )
        except DomainError as error:
            form_failed(form, error)
        else:
            messages.success(request, _("Your case is open. The seller answers within 1 business day."))
            return HttpResponseRedirect(reverse("web:case", kwargs={"case_id": case.pk}))
    return render(
        request,
        "web/storefront/aftersales/open.html",
        {"form": form, "line": line, "order": order, "kind": kind, "info": info, "order_url": order_url},
        status=422 if form.errors else 200,
    )


@login_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    cases = list(selectors.buyer_cases(buyer=_buyer(request))[: selectors.LIST_LIMIT])
    return render(request, "web/storefront/aftersales/list.html", {"cases": cases})


BUYER_ACTIONS = ("ship_back", "dispute", "message")


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The buyer's case: state, deadlines, photos, thread and history; ship back, dispute a refusal, write."""
    try:
        case = selectors.buyer_case(buyer=_buyer(request), case_id=case_id)
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and action not in BUYER_ACTIONS:
        return HttpResponse(_("Unknown action"), status=400)
    ship = ShipBackForm(request.POST if action == "ship_back" else None, market=case.order.market)
    dispute = DisputeForm(request.POST if action == "dispute" else None)
    note = NoteForm(request.POST if action == "message" else None)
    form = {"ship_back": ship, "dispute": dispute, "message": note}.get(action or "")
    if form is not None and form.is_valid():
        try:
            if action == "ship_back":
                services.mark_shipped_back(
                    actor=_buyer(request),
                    case_id=case.pk,
                    carrier=ship.cleaned_data["carrier"],
                    tracking_number=ship.cleaned_data["tracking_number"],
                )
                messages.success(request, _("Thank you. The seller has been told the item is on its way."))
            elif action == "dispute":
                services.dispute_refusal(actor=_buyer(request), case_id=case.pk, reason=dispute.cleaned_data["reason"])
                messages.success(request, _("Reloop's customer care will review your case."))
            else:
                services.post_message(actor=_buyer(request), case_id=case.pk, body=note.cleaned_data["body"])
                messages.success(request, _("Message sent."))
        except DomainError as error:
            form_failed(form, error)
        else:
            return HttpResponseRedirect(request.path)
    context = case_context(case, photo_url="web:case_photo") | {
        "ship_form": ship,
        "dispute_form": dispute,
        "message_form": note,
        "can_ship_back": case.state == CaseState.AWAITING_RETURN,
        "can_dispute": case.state == CaseState.REFUSED,
    }
    return render(request, "web/storefront/aftersales/case.html", context, status=422 if form is not None else 200)


@login_required
@require_safe
def case_photo(request: HttpRequest, case_id: int, photo_id: int) -> HttpResponse:
    try:
        case = selectors.buyer_case(buyer=_buyer(request), case_id=case_id)
        return photo_response(selectors.case_photo(case=case, photo_id=photo_id))
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
