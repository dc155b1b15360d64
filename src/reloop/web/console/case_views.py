"""Operator pages for after-sales at ``/operator/cases/``: escalated cases first (and every other case), one case
with its whole thread and history, and the decision: a refund at the seller's expense or closing it.

Reading needs ``aftersales.view_case``; deciding and writing in the thread ``aftersales.change_case``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from reloop.aftersales import selectors, services
from reloop.aftersales.domain import CaseState
from reloop.aftersales.errors import CaseNotFound
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.web.case_pages import case_context, form_failed, photo_response
from reloop.web.console.access import operator_required
from reloop.web.console.aftersales_forms import DecideForm
from reloop.web.form_parts import NoteForm

QUEUE_LABELS = {"escalated": gettext_lazy("Escalated"), "open": gettext_lazy("Open"), "closed": gettext_lazy("Closed")}


@require_safe
@operator_required(services.VIEW_PERMISSION)
def case_list(request: HttpRequest) -> HttpResponse:
    queue = request.GET.get("queue", "escalated")
    if queue not in (*selectors.OPERATOR_QUEUES, "all"):
        queue = "escalated"
    counts = selectors.operator_queue_counts()
    cases = list(selectors.operator_cases(queue=None if queue == "all" else queue)[: selectors.LIST_LIMIT])
    queues = [{"code": c, "label": QUEUE_LABELS[c], "count": counts[c]} for c in selectors.OPERATOR_QUEUES]
    return render(
        request,
        "web/console/aftersales/list.html",
        {"cases": cases, "queues": queues, "queue": queue, "now": clock.now()},
    )


@require_http_methods(["GET", "POST"])
@operator_required(services.VIEW_PERMISSION)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = selectors.operator_case(case_id=case_id)
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
    can_decide = services.is_operator(request.user, services.DECIDE_PERMISSION)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and (action not in ("decide", "message") or not can_decide):
        return HttpResponse(_("You may not do this"), status=403)
    decide = DecideForm(request.POST if action == "decide" else None, currency=case.currency)
    note = NoteForm(request.POST if action == "message" else None)
    form = decide if action == "decide" else note if action == "message" else None
    if form is not None and form.is_valid():
        amount = decide.money() if form is decide else None
        if not form.errors:
            try:
                if form is decide:
                    services.decide_case(
                        actor=request.user,  # type: ignore[arg-type]
                        case_id=case.pk,
                        decision=decide.cleaned_data["decision"],
                        note=decide.cleaned_data["note"],
                        amount=amount,
                    )
                    messages.success(request, _("Decision recorded; both parties have been told."))
                else:
                    services.post_message(actor=request.user, case_id=case.pk, body=note.cleaned_data["body"])  # type: ignore[arg-type]
                    messages.success(request, _("Message sent."))
            except DomainError as error:
                form_failed(form, error)
            else:
                return HttpResponseRedirect(request.path)
    left, _gross, _fee = services.refundable_on_line(line=case.line)
    context = case_context(case, photo_url="operator:case_photo") | {
        "decide_form": decide,
        "message_form": note,
        "can_decide": can_decide and (case.state == CaseState.ESCALATED or case.refund_pending),
        "can_write": can_decide,
        "refundable": left if not case.refund_pending else case.refund_amount,
    }
    return render(request, "web/console/aftersales/case.html", context, status=422 if form is not None else 200)


@require_safe
@operator_required(services.VIEW_PERMISSION)
def case_photo(request: HttpRequest, case_id: int, photo_id: int) -> HttpResponse:
    try:
        case = selectors.operator_case(case_id=case_id)
        return photo_response(selectors.case_photo(case=case, photo_id=photo_id))
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
