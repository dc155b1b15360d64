"""The account's security page: two-factor authentication (set-up with a QR code, backup codes, turning it off)
and the code page asked after a password at sign-in. The rules are in ``reloop.accounts.two_factor``.

Staff reach these pages from the admin's sign-in too (``TwoFactorMiddleware`` sends them here).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from reloop.accounts import two_factor
from reloop.accounts.middleware import signin_throttled, two_factor_exempt
from reloop.accounts.models import User
from reloop.core.errors import DomainError

SESSION_ENROLMENT = "reloop_2fa_enrolment"
SESSION_NEW_CODES = "reloop_2fa_new_codes"


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and ok else ""


def _to_verify(request: HttpRequest) -> HttpResponse:
    target = reverse("web:two_factor_verify")
    next_url = _next(request)
    return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)


@never_cache
@login_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    """Two-factor status, set-up or removal, backup codes left; new backup codes are shown once."""
    user = _user(request)
    new_codes = request.session.pop(SESSION_NEW_CODES, None)
    return render(
        request,
        "accounts/security.html",
        {
            "enabled": two_factor.has_two_factor(user),
            "codes_left": two_factor.backup_codes_left(user),
            "new_codes": new_codes,
            "required": user.is_staff,
        },
    )


@two_factor_exempt
@sensitive_post_parameters("token")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with one code."""
    user = _user(request)
    verified = bool(getattr(user, "is_verified", lambda: False)())
    if request.session.get(two_factor.PENDING_SESSION_KEY) or (not verified and two_factor.has_two_factor(user)):
        # A second factor is owed first: replacing the device on a password alone would bypass it.
        request.session[two_factor.PENDING_SESSION_KEY] = True
        return _to_verify(request)
    enrolment = None
    device_id = request.session.get(SESSION_ENROLMENT)
    if isinstance(device_id, int):
        enrolment = two_factor.pending_enrolment(user=user, device_id=device_id)
    if enrolment is None or (request.method == "GET" and request.GET.get("restart")):
        enrolment = two_factor.start_totp_enrolment(user=user)
        request.session[SESSION_ENROLMENT] = enrolment.device_id
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_totp_enrolment(
                request=request, user=user, device_id=enrolment.device_id, token=form.cleaned_data["token"]
            )
        except DomainError as exc:
            form.add_error("token", exc.message)
        else:
            request.session.pop(SESSION_ENROLMENT, None)
            request.session[SESSION_NEW_CODES] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return HttpResponseRedirect(_next(request) or reverse("web:account_security"))
    return render(
        request, "accounts/two_factor_enrol.html", {"enrolment": enrolment, "form": form, "next": _next(request)}
    )


@two_factor_exempt
@signin_throttled
@sensitive_post_parameters("token")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app or a backup code."""
    user = _user(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_second_factor(request=request, user=user, token=form.cleaned_data["token"]):
            return HttpResponseRedirect(_next(request) or reverse("web:account"))
        form.add_error("token", _("This code is not right, or was already used. Try the next code from your app."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})


@two_factor_exempt
@never_cache
@login_required
@require_http_methods(["GET"])
def required(request: HttpRequest) -> HttpResponse:
    """For staff sent here from /operator/ or /admin/: why, and the way to set it up."""
    if two_factor.has_two_factor(_user(request)):
        request.session[two_factor.PENDING_SESSION_KEY] = True
        return _to_verify(request)
    return render(request, "accounts/two_factor_required.html", {"next": _next(request)})


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.regenerate_backup_codes(user=_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        request.session[SESSION_NEW_CODES] = codes
        messages.success(request, _("New backup codes made; the old ones no longer work."))
    return HttpResponseRedirect(reverse("web:account_security"))


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.disable_two_factor(user=_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return HttpResponseRedirect(reverse("web:account_security"))
