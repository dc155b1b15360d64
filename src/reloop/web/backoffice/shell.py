"""The seller back office's frame: who may enter (members of a seller, owners for team and keys), and its menu.

Every back-office view is wrapped in ``seller_required``: an anonymous visitor is sent to sign in, a signed-in
person who works for no seller gets a 403 page that says how to apply. The view then finds ``request.seller`` and
``request.seller_member`` and must read only through selectors that take that seller, so one seller never sees
another's data. Each area of the back office adds itself to ``NAV`` where its URLs are declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise

from reloop.sellers.models import Seller, SellerMember
from reloop.sellers.selectors import membership_for_user

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class NavItem:
    url_name: str  # in the ``seller`` namespace
    label: str | Promise
    owner_only: bool = False


#: The back-office menu, in display order; each area appends its entry in ``web/backoffice/urls.py``.
NAV: list[NavItem] = []


def seller_of(request: HttpRequest) -> Seller:
    """The seller of the signed-in member (set by ``seller_required``)."""
    return request.seller  # type: ignore[attr-defined]


def member_of(request: HttpRequest) -> SellerMember:
    return request.seller_member  # type: ignore[attr-defined]


def seller_required(view: View | None = None, *, owner: bool = False) -> Any:
    """Only members of a seller (``owner=True``: only its owners) reach ``view``; see the module docstring."""

    def decorator(inner: View) -> View:
        @wraps(inner)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            member = membership_for_user(request.user)
            if member is None:
                return render(request, "web/backoffice/not_a_member.html", status=403)
            if owner and not member.is_owner:
                return render(request, "web/backoffice/owners_only.html", {"seller": member.seller}, status=403)
            request.seller = member.seller  # type: ignore[attr-defined]
            request.seller_member = member  # type: ignore[attr-defined]
            return inner(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def seller_nav(request: HttpRequest) -> dict[str, Any]:
    """Template context for the back-office menu (a context processor: empty outside the back office)."""
    member: SellerMember | None = getattr(request, "seller_member", None)
    if member is None:
        return {}
    current = request.resolver_match.url_name if request.resolver_match else None
    items = [
        {"url": reverse(f"seller:{item.url_name}"), "label": item.label, "current": item.url_name == current}
        for item in NAV
        if member.is_owner or not item.owner_only
    ]
    return {"seller_nav": items, "current_seller": member.seller, "current_member": member}
