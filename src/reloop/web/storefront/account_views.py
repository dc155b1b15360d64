"""Account pages: sign up, sign in and out, password reset by email, the account page and delivery addresses.

Views parse, call one service or selector, and render; the rules are in ``reloop.accounts``. Every URL is under
the market prefix, so links in emails and redirects stay in the buyer's market and language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reloop.accounts import selectors, services
from reloop.accounts.domain import ADDRESS_FIELDS, address_lines
from reloop.accounts.errors import AddressNotFound, EmailTaken, InvalidAddress, WeakPassword
from reloop.accounts.forms import AddressForm, LoginForm, PasswordResetRequestForm, SignUpForm
from reloop.accounts.middleware import signin_throttled, two_factor_exempt
from reloop.accounts.models import Address, User
from reloop.accounts.throttling import password_reset_allowed
from reloop.core.errors import InvalidInput
from reloop.legal import domain as legal_domain
from reloop.legal import services as legal_services
from reloop.web.storefront.shop_views import refresh_cart_count

BACKEND = "reloop.accounts.backends.EmailBackend"


def _safe_next(request: HttpRequest) -> str:
    """The local page to return to after signing in or up, or "" when ``next`` is missing or points elsewhere."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


# --- Signing up, in and out -----------------------------------------------------------------------------------


def counting_the_cart(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """After signing in or up, the anonymous cart has joined the buyer's: count it again for the header."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "POST" and request.user.is_authenticated and response.status_code in {302, 303}:
            refresh_cart_count(request)
        return response

    return wrapped


# Sign-in attempts are counted per client address (SignInThrottleMiddleware) and failures per account (django-axes).
login_view = counting_the_cart(
    signin_throttled(
        auth_views.LoginView.as_view(
            template_name="web/storefront/registration/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        )
    )
)
# POST only (Django 5): a link cannot sign anyone out. Reachable before the second factor.
logout_view = two_factor_exempt(auth_views.LogoutView.as_view())


@counting_the_cart
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create a buyer account with email and password; the new buyer is signed in and sent on (``next``)."""
    market = request.market  # type: ignore[attr-defined]
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or reverse("web:account"))
    form = SignUpForm(
        request.POST or None,
        family_name_first=market.country == "JP",
        terms_url=reverse("web:legal", args=[legal_domain.TERMS_OF_USE]),
        privacy_url=reverse("web:legal", args=[legal_domain.PRIVACY]),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_buyer(
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                market=market.code,
            )
        except WeakPassword as exc:
            form.add_error("password", exc.messages)
        except (EmailTaken, InvalidInput) as exc:
            form.add_error("email", exc.message)
        else:
            # Which version of the terms this person accepted, kept by reloop.legal (DSA/consumer-law evidence).
            legal_services.record_acceptance(
                user=user, market=market.code, kind=legal_domain.TERMS_OF_USE, context="signup"
            )
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to Reloop! Your account is ready."))
            return HttpResponseRedirect(next_url or reverse("web:account"))
    return render(request, "web/storefront/registration/signup.html", {"form": form, "next": next_url})


# --- Password reset by email ---------------------------------------------------------------------------------
# Django's views with our templates. The email is rendered in the request's language, and its link reversed under
# the request's market prefix. The success URLs are lazy: reversed per request, in that request's market.

_password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetRequestForm,
    template_name="web/storefront/registration/password_reset_request.html",
    subject_template_name="web/storefront/registration/password_reset_mail_subject.txt",
    email_template_name="web/storefront/registration/password_reset_mail.txt",
    success_url=reverse_lazy("web:password_reset_done"),
)


def password_reset(request: HttpRequest) -> HttpResponse:
    """Django's reset request, throttled per client address and per email address (an inbox is not flooded)."""
    if request.method == "POST" and not password_reset_allowed(request, request.POST.get("email", "")[:254]):
        response = render(request, "accounts/too_many_attempts.html", status=429)
        response["Retry-After"] = "3600"
        return response
    return _password_reset(request)  # type: ignore[return-value]  # Django's view answers an HttpResponse


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="web/storefront/registration/password_reset_sent.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="web/storefront/registration/password_reset_new.html",
    success_url=reverse_lazy("web:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="web/storefront/registration/password_reset_finished.html"
)


# --- The account page and addresses --------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressCard:
    address: Address
    lines: list[str]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required guarantees a signed-in User


@login_required
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    """Name, email and addresses. Queries: session, user, addresses, whatever the number of addresses."""
    addresses = selectors.addresses_for(user=_user(request))
    cards = [AddressCard(a, address_lines(a)) for a in addresses]
    return render(request, "web/storefront/account/account.html", {"address_cards": cards})


def _carry_over(data: Any, country: str) -> dict[str, Any]:
    """What the buyer typed, kept when they pick another country (not the region: its meaning changes)."""
    kept = {name: data.get(name, "") for name in ADDRESS_FIELDS if name != "region"}
    return {**kept, "country": country, "make_default": data.get("make_default") == "on"}


def _address_page(request: HttpRequest, address: Address | None) -> HttpResponse:
    user = _user(request)
    countries = selectors.delivery_countries()
    market_country = request.market.country  # type: ignore[attr-defined]
    if address is not None:
        default_country = address.country
    else:
        default_country = market_country if market_country in countries else countries[0]
    can_make_default = address is None or not address.is_default
    form: AddressForm
    if request.method == "POST":
        posted = request.POST.get("country", "")
        country = posted if posted in countries else default_country
        if posted in countries and posted != request.POST.get("form_country"):
            # Another country was picked: show its fields instead of saving (HTMX swaps only the form).
            initial = _carry_over(request.POST, country)
            form = AddressForm(country=country, countries=countries, initial=initial, can_make_default=can_make_default)
        else:
            form = AddressForm(request.POST, country=country, countries=countries, can_make_default=can_make_default)
            if form.is_valid():
                make_default = bool(form.cleaned_data.get("make_default"))
                try:
                    if address is None:
                        services.add_address(user=user, data=form.address_data.as_dict(), make_default=make_default)
                    else:
                        services.update_address(
                            user=user,
                            address_id=address.pk,
                            data=form.address_data.as_dict(),
                            make_default=make_default,
                        )
                except InvalidAddress as exc:
                    form.add_address_errors(exc)
                except AddressNotFound as exc:
                    raise Http404(exc.message) from exc
                else:
                    messages.success(request, _("Address saved.") if address else _("Address added."))
                    return HttpResponseRedirect(reverse("web:account"))
    else:
        if address is not None:
            initial = {name: getattr(address, name) for name in ("country", *ADDRESS_FIELDS)}
        else:
            initial = {"country": default_country, "full_name": user.get_full_name()}
        form = AddressForm(
            country=default_country, countries=countries, initial=initial, can_make_default=can_make_default
        )
    return render(request, "web/storefront/account/address_form.html", {"form": form, "address": address})


@login_required
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest) -> HttpResponse:
    return _address_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        address = selectors.get_address(user=_user(request), address_id=address_id)
    except AddressNotFound as exc:
        raise Http404(exc.message) from exc
    return _address_page(request, address)


@login_required
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        services.delete_address(user=_user(request), address_id=address_id)
    except AddressNotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Address deleted."))
    return HttpResponseRedirect(reverse("web:account"))


@login_required
@require_POST
def address_make_default(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        services.set_default_address(user=_user(request), address_id=address_id)
    except AddressNotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Default address changed."))
    return HttpResponseRedirect(reverse("web:account"))
