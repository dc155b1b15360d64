"""The seller back office's team and API-key pages (owners only).

Every view is ``seller_required(owner=True)`` and acts only on ``seller_of(request)``: an id of another seller's
member, invitation or key is answered as not found by the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reloop.accounts.models import User
from reloop.core import clock
from reloop.core.errors import DomainError, NotFound
from reloop.sellers import selectors
from reloop.sellers.models import MemberRole
from reloop.sellers.services import (
    change_member_role,
    create_seller_token,
    invite_seller_member,
    remove_seller_member,
    revoke_seller_invitation,
    revoke_seller_token,
)
from reloop.web.backoffice.onboarding_forms import InviteForm, RoleForm, TokenForm
from reloop.web.backoffice.shell import member_of, seller_of, seller_required


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _team_page(request: HttpRequest, form: InviteForm, status: int = 200) -> HttpResponse:
    seller = seller_of(request)
    context = {
        "seller": seller,
        "members": selectors.seller_members(seller=seller),
        "invitations": selectors.open_invitations(seller=seller),
        "form": form,
        "me": member_of(request),
        "roles": MemberRole.choices,
        "now": clock.now(),
    }
    return render(request, "web/backoffice/team.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required(owner=True)
def team(request: HttpRequest) -> HttpResponse:
    """Members with their roles, open invitations, and (POST) inviting someone by email with a role.
    Queries: session, user, membership, members, invitations, whatever their number."""
    if request.method != "POST":
        return _team_page(request, InviteForm())
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invite_seller_member(
                actor=_user(request),
                seller=seller_of(request),
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                link_for=lambda token: request.build_absolute_uri(reverse("seller:invitation", args=[token])),
            )
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("seller:team")
    return _team_page(request, form, status=422)


def _done(request: HttpRequest, action: object, success: str) -> HttpResponse:
    try:
        action()  # type: ignore[operator]
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("seller:team")


@require_POST
@seller_required(owner=True)
def member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: owner or staff"))
        return redirect("seller:team")
    role = form.cleaned_data["role"]
    return _done(
        request,
        lambda: change_member_role(actor=_user(request), seller=seller_of(request), member_id=member_id, role=role),
        _("Role changed."),
    )


@require_POST
@seller_required(owner=True)
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    leaving = member_id == member_of(request).pk
    response = _done(
        request,
        lambda: remove_seller_member(actor=_user(request), seller=seller_of(request), member_id=member_id),
        _("You left the team.") if leaving else _("Removed from the team."),
    )
    if leaving and selectors.membership_for_user(request.user) is None:
        return redirect("web:home")  # no back office any more: back to the shop
    return response


@require_POST
@seller_required(owner=True)
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return _done(
        request,
        lambda: revoke_seller_invitation(actor=_user(request), seller=seller_of(request), invitation_id=invitation_id),
        _("Invitation withdrawn: its link no longer works."),
    )


def _tokens_page(request: HttpRequest, form: TokenForm, *, new_key: str = "", status: int = 200) -> HttpResponse:
    seller = seller_of(request)
    context = {"seller": seller, "tokens": selectors.seller_tokens(seller=seller), "form": form, "new_key": new_key}
    response = render(request, "web/backoffice/api_tokens.html", context, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is shown once: never from a cache or the back button
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required(owner=True)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The seller's API keys (prefix, last use, revoked) and (POST) creating one: its key is on this answer only."""
    if request.method != "POST":
        return _tokens_page(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _, raw = create_seller_token(seller=seller_of(request), name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", exc.message)
        else:
            return _tokens_page(request, TokenForm(), new_key=raw)
    return _tokens_page(request, form, status=422)


@require_POST
@seller_required(owner=True)
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        revoke_seller_token(seller=seller_of(request), token_id=token_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Key revoked: requests with it are refused from now on."))
    return redirect("seller:api_tokens")
