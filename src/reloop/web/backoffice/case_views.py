"""Seller back office: returns and warranty claims at ``/seller/returns/``, in work queues (to answer, to receive,
to resolve, escalated, closed), and one case with its actions (answer, confirm receipt, refund, repaired or
replaced) and thread.

Every read goes through ``aftersales.selectors`` with the member's seller: another seller's case is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from reloop.aftersales import selectors, services
from reloop.aftersales.domain import SELLER_REFUND_STATES, CaseState
from reloop.aftersales.errors import CaseNotFound
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.web.backoffice.aftersales_forms import AnswerForm, RefundForm, ResolveForm
from reloop.web.backoffice.shell import seller_of, seller_required
from reloop.web.case_pages import case_context, form_failed, photo_response
from reloop.web.form_parts import NoteForm

QUEUE_LABELS = {
    "to_answer": gettext_lazy("To answer"),
    "to_receive": gettext_lazy("To receive"),
    "to_resolve": gettext_lazy("To resolve"),
    "escalated": gettext_lazy("Escalated"),
    "closed": gettext_lazy("Closed"),
}


@seller_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    seller = seller_of(request)
    queue = request.GET.get("queue") or None
    if queue is not None and queue not in selectors.SELLER_QUEUES:
        queue = None
    counts = selectors.seller_queue_counts(seller=seller)
    cases = list(selectors.seller_cases(seller=seller, queue=queue)[: selectors.LIST_LIMIT])
    queues = [{"code": code, "label": QUEUE_LABELS[code], "count": counts[code]} for code in selectors.SELLER_QUEUES]
    return render(
        request,
        "web/backoffice/aftersales/list.html",
        {"cases": cases, "queues": queues, "queue": queue, "now": clock.now()},
    )


SELLER_ACTIONS = ("answer", "receive", "refund", "resolve", "message")


@seller_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    seller = seller_of(request)
    try:
        case = selectors.seller_case(seller=seller, case_id=case_id)
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and action not in SELLER_ACTIONS:
        return HttpResponse(_("Unknown action"), status=400)
    data = request.POST
    forms = {
        "answer": AnswerForm(data if action == "answer" else None),
        "refund": RefundForm(data if action == "refund" else None, currency=case.currency),
        "resolve": ResolveForm(data if action == "resolve" else None),
        "message": NoteForm(data if action == "message" else None),
    }
    form = forms.get(action or "")
    if action == "receive":
        try:
            services.confirm_receipt(actor=request.user, case_id=case.pk)  # type: ignore[arg-type]
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Receipt confirmed: repair, replace or refund within 5 business days."))
        return HttpResponseRedirect(request.path)
    if form is not None and form.is_valid():
        amount: Money | None = None
        if isinstance(form, RefundForm):
            amount = form.money()
        if not form.errors:
            try:
                _apply(request, action or "", case.pk, form.cleaned_data, amount)
            except DomainError as error:
                form_failed(form, error)
            else:
                return HttpResponseRedirect(request.path)
    failed = form is not None
    left, _gross, _fee = services.refundable_on_line(line=case.line)
    context = case_context(case, photo_url="seller:case_photo") | {
        "answer_form": forms["answer"],
        "refund_form": forms["refund"],
        "resolve_form": forms["resolve"],
        "message_form": forms["message"],
        "can_answer": case.state == CaseState.OPENED,
        "can_receive": case.state in (CaseState.AWAITING_RETURN, CaseState.SHIPPED_BACK),
        "can_refund": case.state in SELLER_REFUND_STATES or case.refund_pending,
        "can_resolve": case.state == CaseState.RECEIVED and case.remedy in ("repair", "replace"),
        "refundable": left if not case.refund_pending else case.refund_amount,
    }
    return render(request, "web/backoffice/aftersales/case.html", context, status=422 if failed else 200)


def _apply(request: HttpRequest, action: str, case_id: int, data: dict, amount: Money | None) -> None:
    actor = request.user
    if action == "answer":
        services.answer_case(actor=actor, case_id=case_id, answer=data["answer"], note=data["note"])  # type: ignore[arg-type]
        messages.success(request, _("Answer sent to the buyer."))
    elif action == "refund":
        services.refund_case(actor=actor, case_id=case_id, amount=amount, note=data["note"])  # type: ignore[arg-type]
        messages.success(request, _("Refunded. The buyer has been told."))
    elif action == "resolve":
        services.resolve_case(actor=actor, case_id=case_id, resolution=data["resolution"], note=data["note"])  # type: ignore[arg-type]
        messages.success(request, _("Case resolved. The buyer has been told."))
    else:
        services.post_message(actor=actor, case_id=case_id, body=data["body"])  # type: ignore[arg-type]
        messages.success(request, _("Message sent."))


@seller_required
@require_safe
def case_photo(request: HttpRequest, case_id: int, photo_id: int) -> HttpResponse:
    try:
        case = selectors.seller_case(seller=seller_of(request), case_id=case_id)
        return photo_response(selectors.case_photo(case=case, photo_id=photo_id))
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
