"""Operator pages for vetting sellers: the applications queue, one application with approve / reject, and a
seller's page with suspend / reactivate. Staff with ``sellers.change_sellerapplication`` only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reloop.accounts.models import User
from reloop.core.errors import DomainError, NotFound
from reloop.core.pagination import page_number, paginate
from reloop.sellers import selectors
from reloop.sellers.models import ApplicationStatus, Seller, SellerApplication, Standing
from reloop.sellers.services import (
    VETTING_PERMISSION,
    approve_seller_application,
    change_seller_standing,
    reject_seller_application,
)
from reloop.web.console.access import operator_required
from reloop.web.console.seller_forms import RejectForm, StatusFilterForm

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_safe
@operator_required(VETTING_PERMISSION)
def applications(request: HttpRequest) -> HttpResponse:
    """Applications, oldest first, filtered by status (default: those awaiting a decision). Queries: session,
    user, permissions, count, one page, whatever the number of rows."""
    form = StatusFilterForm(request.GET or {"status": ApplicationStatus.SUBMITTED})
    status = form.cleaned_data["status"] if form.is_valid() else ApplicationStatus.SUBMITTED
    page = page_number(request.GET.get("page"))
    paged = paginate(selectors.applications_for_review(status=status or None), page=page, page_size=PAGE_SIZE)
    return render(
        request,
        "web/console/seller_applications.html",
        {
            "form": form,
            "status": status,
            "page": paged,
            "meta": paged.meta(),
            "page_query": urlencode({"status": status or ""}),
        },
    )


def _application(application_id: int) -> SellerApplication:
    try:
        return selectors.application_for_review(application_id=application_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_safe
@operator_required(VETTING_PERMISSION)
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    return render(
        request,
        "web/console/seller_application.html",
        {"application": _application(application_id), "reject_form": RejectForm()},
    )


@require_POST
@operator_required(VETTING_PERMISSION)
def application_approve(request: HttpRequest, application_id: int) -> HttpResponse:
    try:
        decided = approve_seller_application(actor=_user(request), application_id=application_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(seller)s is approved; its owner was emailed.") % {"seller": decided.trading_name}
        )
    return redirect("operator:seller_application", application_id=application_id)


@require_POST
@operator_required(VETTING_PERMISSION)
def application_reject(request: HttpRequest, application_id: int) -> HttpResponse:
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            reject_seller_application(
                actor=_user(request), application_id=application_id, reason=form.cleaned_data["reason"]
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            form.add_error("reason", exc.message)
        else:
            messages.success(request, _("Application rejected; the applicant was emailed the reason."))
            return redirect("operator:seller_application", application_id=application_id)
    context = {"application": _application(application_id), "reject_form": form}
    return render(request, "web/console/seller_application.html", context, status=422)


def _seller(slug: str) -> Seller:
    try:
        return selectors.seller_by_slug(slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_http_methods(["GET", "HEAD", "POST"])
@operator_required(VETTING_PERMISSION)
def seller(request: HttpRequest, slug: str) -> HttpResponse:
    """A seller's standing, cap and trader data; POST ``standing`` suspends or reactivates it (buy boxes move
    on commit)."""
    found = _seller(slug)
    if request.method == "POST":
        standing = request.POST.get("standing", "")
        try:
            change_seller_standing(actor=_user(request), seller=found, standing=standing)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            done = _("suspended") if standing == Standing.SUSPENDED else _("active again")
            messages.success(request, _("%(seller)s is %(state)s.") % {"seller": found.name, "state": done})
        return redirect("operator:seller", slug=slug)
    return render(
        request,
        "web/console/seller.html",
        {"seller": found, "trader": selectors.trader_details(seller=found), "Standing": Standing},
    )
