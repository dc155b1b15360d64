"""Two-factor authentication (django-otp): an authenticator app (TOTP, RFC 6238) plus single-use backup codes.

Required for operators (staff) before any page under ``/operator/`` or ``/admin/`` (``TwoFactorMiddleware``), and
offered to everyone else on the account's security page. Once a person has a confirmed device, every sign-in asks
for a code before any page (the session is "pending" until ``verify_second_factor`` passes).

- ``start_totp_enrolment`` makes an unconfirmed device (a fresh secret, replacing an unconfirmed earlier one);
  the page shows its ``otpauth://`` URI as a QR code and as text.
- ``confirm_totp_enrolment`` checks one code from the app, confirms the device and issues ``BACKUP_CODE_COUNT``
  backup codes (each works once; shown once).
- ``verify_second_factor`` checks a code from the app or a backup code; django-otp throttles wrong codes per device
  (an exponentially growing wait), and marks the session verified.
- ``disable_two_factor`` removes every device; refused for staff (they must keep it).
"""

from __future__ import annotations

from dataclasses import dataclass

import django_otp
import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reloop.accounts.models import User
from reloop.core.errors import DomainError, InvalidInput

BACKUP_CODE_COUNT = 10
#: The session key telling that the person signed in with a password and still owes a second factor.
PENDING_SESSION_KEY = "reloop_2fa_pending"
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
ISSUER = "Reloop"


class TwoFactorRequired(DomainError):
    code = "two_factor_required"
    http_status = 403


@dataclass(frozen=True)
class Enrolment:
    device_id: int
    secret_base32: str
    otpauth_uri: str
    qr_svg: str  # an inline <svg> element (no external request, no script)


def has_two_factor(user: User) -> bool:
    """True when the user has a confirmed authenticator app (backup codes alone do not count)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _enrolment(device: TOTPDevice, user: User) -> Enrolment:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    # config_url names the account by get_username(); an issuer makes the entry recognisable in the app.
    uri = device.config_url
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, title=_("QR code for your authenticator app"))
    return Enrolment(device_id=device.pk, secret_base32=secret, otpauth_uri=uri, qr_svg=svg)


def start_totp_enrolment(*, user: User) -> Enrolment:
    """A new unconfirmed authenticator device for ``user`` (an earlier unconfirmed one is replaced)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return _enrolment(device, user)


def pending_enrolment(*, user: User, device_id: int) -> Enrolment | None:
    """The unconfirmed device being enrolled, to show its QR code again (``None`` when it is gone)."""
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    return _enrolment(device, user) if device is not None else None


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_totp_enrolment(*, request: HttpRequest, user: User, device_id: int, token: str) -> list[str]:
    """Confirm the device with a code from the app; returns the new backup codes. The session becomes verified.

    Raises ``InvalidInput`` (``invalid_token``) for a wrong code or a device that is not this user's pending one.
    """
    token = "".join(token.split())
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id, confirmed=False).first()
        if device is None:
            raise InvalidInput(_("This set-up has expired. Start again."), code="enrolment_expired")
        if not token.isascii() or not token.isdigit() or not device.verify_token(token):
            raise InvalidInput(_("This code is not right. Check the time on your phone and try again."))
        # One authenticator at a time: the confirmed one replaces any earlier one.
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
    django_otp.login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
    return codes


def regenerate_backup_codes(*, user: User) -> list[str]:
    """New backup codes; the old ones stop working. Only for a person with an authenticator app."""
    if not has_two_factor(user):
        raise InvalidInput(_("Set up an authenticator app first."), code="no_two_factor")
    with transaction.atomic():
        return _new_backup_codes(user)


def verify_second_factor(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a code from the app or a backup code (used up); on success the session is verified."""
    token = "".join(token.split())
    if not token or len(token) > 16 or not token.isascii() or not token.isalnum():
        return False
    with transaction.atomic():
        device = django_otp.match_token(user, token)
    if device is None:
        return False
    django_otp.login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
    return True


def disable_two_factor(*, user: User) -> None:
    """Remove the authenticator and backup codes. Staff must keep two-factor authentication."""
    if user.is_staff:
        raise TwoFactorRequired(_("Operators must keep two-factor authentication."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def mark_pending_after_sign_in(*, request: HttpRequest, user: User) -> None:
    """At sign-in with a password: a person with two-factor authentication owes a code before any page."""
    if has_two_factor(user):
        request.session[PENDING_SESSION_KEY] = True
    else:
        request.session.pop(PENDING_SESSION_KEY, None)
