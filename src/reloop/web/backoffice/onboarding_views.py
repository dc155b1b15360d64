"""Becoming a seller: the application form (``/seller/apply/``), and joining a team through an invitation link.

Views parse, authorize, call one ``sellers`` service or selector and render; the rules (what a valid trader
application is, who may accept an invitation) are in ``sellers.domain`` and ``sellers.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reloop.accounts.models import User
from reloop.core.errors import DomainError
from reloop.sellers import selectors
from reloop.sellers.domain import InvalidApplication
from reloop.sellers.models import ApplicationStatus
from reloop.sellers.services import accept_seller_invitation, submit_seller_application
from reloop.web.backoffice.onboarding_forms import SellerApplicationForm


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The trader application. A member of a seller, or someone whose application awaits a decision, sees where
    they stand instead of a second form; after a rejection the reason is shown above a fresh form."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = selectors.membership_for_user(request.user)
    latest = selectors.latest_application_of(request.user)
    if member is not None or (latest is not None and latest.status == ApplicationStatus.SUBMITTED):
        return render(request, "web/backoffice/apply_status.html", {"member": member, "application": latest})
    form = SellerApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_seller_application(actor=_user(request), data=form.cleaned_data)
        except InvalidApplication as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you: your application is submitted. We will email you our decision."))
            return redirect("seller:apply")
    rejected = latest if latest is not None and latest.status == ApplicationStatus.REJECTED else None
    return render(request, "web/backoffice/apply.html", {"form": form, "rejected": rejected})


@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link invites to; POST (the button) joins the team. Sign-in first, back here after."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation = selectors.invitation_for_token(token)
    if request.method == "POST":
        try:
            member = accept_seller_invitation(user=_user(request), token=token)
        except DomainError as exc:
            context = {"invitation": invitation, "error": exc.message, "code": exc.code}
            return render(request, "web/backoffice/invitation.html", context, status=exc.http_status)
        messages.success(request, _("Welcome to the team of %(seller)s.") % {"seller": member.seller.name})
        return redirect("seller:dashboard")
    if invitation is None:
        context = {"invitation": None, "error": _("This invitation link is not valid"), "code": "invitation_not_found"}
        return render(request, "web/backoffice/invitation.html", context, status=404)
    return render(request, "web/backoffice/invitation.html", {"invitation": invitation, "error": None})
