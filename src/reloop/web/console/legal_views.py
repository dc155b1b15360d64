"""Operator pages for the legal texts (versions per market, drafts, publishing) and the DSA notice queue.

- ``/operator/legal/``: every market's documents with the version in force and any draft (``legal.view_legalversion``);
  writing and publishing a draft needs ``legal.change_legalversion``.
- ``/operator/notices/``: notices of illegal content, oldest first (``legal.view_noticereport``); deciding one needs
  ``legal.decide_noticereport``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reloop.accounts.models import User
from reloop.core.errors import DomainError
from reloop.core.pagination import page_number, paginate
from reloop.legal import domain, selectors, services
from reloop.legal.errors import InvalidNotice, NoticeNotFound, VersionNotFound
from reloop.legal.identity import missing_identity_fields, platform_identity
from reloop.legal.models import NoticeStatus
from reloop.markets.registry import UnknownMarket, enabled_markets, get_market
from reloop.web.console.access import operator_required
from reloop.web.console.legal_forms import DecisionForm, DraftForm
from reloop.web.form_parts import add_field_errors

VIEW_TEXTS = "legal.view_legalversion"
EDIT_TEXTS = "legal.change_legalversion"
VIEW_NOTICES = "legal.view_noticereport"
DECIDE_NOTICES = "legal.decide_noticereport"
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # operator_required lets only signed-in staff through


@require_safe
@operator_required(VIEW_TEXTS)
def documents(request: HttpRequest) -> HttpResponse:
    """Every enabled market's documents. Queries: session, user, permissions, versions (one), whatever the count."""
    rows = selectors.documents_overview(markets=[(m.code, m.country) for m in enabled_markets()])
    return render(
        request,
        "legal/operator/documents.html",
        {"rows": rows, "missing_identity": missing_identity_fields()},
    )


def _document(market: str, kind: str) -> tuple[str, str]:
    try:
        code = get_market(market).code
    except UnknownMarket as exc:
        raise Http404("Unknown market") from exc
    if kind not in domain.kinds_for_country(get_market(code).country):
        raise Http404("No such document")
    return code, kind


@require_safe
@operator_required(VIEW_TEXTS)
def document(request: HttpRequest, market: str, kind: str) -> HttpResponse:
    """One document's versions, newest first, and the draft's editor link."""
    code, kind = _document(market, kind)
    versions = selectors.versions_of(market=code, kind=kind)
    return render(
        request,
        "legal/operator/document.html",
        {"market_code": code, "kind": kind, "kind_label": domain.KIND_LABELS[kind], "versions": versions},
    )


@require_POST
@operator_required(EDIT_TEXTS)
def draft_start(request: HttpRequest, market: str, kind: str) -> HttpResponse:
    code, kind = _document(market, kind)
    draft = services.start_draft(actor=_user(request), market=code, kind=kind)
    return HttpResponseRedirect(reverse("operator:legal_version", args=[draft.pk]))


@require_http_methods(["GET", "POST"])
@operator_required(VIEW_TEXTS)
def version(request: HttpRequest, version_id: int) -> HttpResponse:
    """A version: its text as published (read-only), or the draft's editor with a preview."""
    try:
        current = selectors.get_version(version_id=version_id)
    except VersionNotFound as exc:
        raise Http404(exc.message) from exc
    can_edit = not current.is_published and request.user.has_perm(EDIT_TEXTS)
    form = None
    if can_edit:
        form = DraftForm(
            request.POST if request.method == "POST" else None,
            initial={"title": current.title, "body": current.body, "change_note": current.change_note},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.edit_draft(
                    actor=_user(request),
                    version_id=current.pk,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    change_note=form.cleaned_data["change_note"],
                )
            except InvalidNotice as exc:
                add_field_errors(form, exc.field_errors)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Draft saved."))
                return HttpResponseRedirect(reverse("operator:legal_version", args=[current.pk]))
    elif request.method == "POST":
        return HttpResponse(_("A published version never changes: start a new version."), status=409)
    preview = domain.render_body(domain.fill_placeholders(current.body, platform_identity()))
    return render(
        request,
        "legal/operator/version.html",
        {"version": current, "form": form, "preview": preview, "kind_label": domain.KIND_LABELS[current.kind]},
    )


@require_POST
@operator_required(EDIT_TEXTS)
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    try:
        published = services.publish_draft(actor=_user(request), version_id=version_id)
    except VersionNotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("operator:legal_version", args=[version_id]))
    messages.success(
        request, _("Version %(number)s is published and in force from now.") % {"number": published.number}
    )
    return HttpResponseRedirect(reverse("operator:legal_document", args=[published.market, published.kind]))


@require_safe
@operator_required(VIEW_NOTICES)
def notices(request: HttpRequest) -> HttpResponse:
    """The queue: notices awaiting a decision (or decided ones), oldest first. Queries: session, user,
    permissions, count, one page, whatever the number of notices."""
    status = request.GET.get("status", NoticeStatus.RECEIVED)
    if status not in NoticeStatus.values:
        status = NoticeStatus.RECEIVED
    page = page_number(request.GET.get("page"))
    paged = paginate(selectors.notice_queue(status=status), page=page, page_size=PAGE_SIZE)
    return render(
        request,
        "legal/operator/notices.html",
        {
            "page": paged,
            "meta": paged.meta(),
            "page_query": urlencode({"status": status}),
            "status": status,
            "statuses": NoticeStatus.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@operator_required(VIEW_NOTICES)
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """One notice with its listing and reporter; staff with ``legal.decide_noticereport`` decide it here."""
    try:
        current = selectors.get_notice(notice_id=notice_id)
    except NoticeNotFound as exc:
        raise Http404(exc.message) from exc
    can_decide = current.status == NoticeStatus.RECEIVED and request.user.has_perm(DECIDE_NOTICES)
    form = DecisionForm(request.POST if request.method == "POST" else None) if can_decide else None
    if request.method == "POST":
        if form is None:
            if not request.user.has_perm(DECIDE_NOTICES):
                raise PermissionDenied
            return HttpResponse(_("This notice was already decided."), status=409)
        if form.is_valid():
            try:
                services.decide_notice(
                    actor=_user(request),
                    notice_id=current.pk,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except InvalidNotice as exc:
                add_field_errors(form, exc.field_errors)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Decision recorded; the reporter is told by email."))
                return HttpResponseRedirect(reverse("operator:notices"))
    return render(request, "legal/operator/notice.html", {"notice": current, "form": form})
