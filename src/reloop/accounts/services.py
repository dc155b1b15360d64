"""Every write to accounts: a buyer signing up, and a buyer's delivery addresses.

Each service validates before it writes (a refused call changes nothing) and owns its transaction. The address
services are scoped to the user: another person's address is ``AddressNotFound``, like a missing one. They lock
the user's row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises
writers), so two concurrent "make default" clicks cannot both win; the partial unique constraint
``accounts_address_one_default_per_user`` holds the invariant in the database either way.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from reloop.accounts.domain import clean_address
from reloop.accounts.errors import EmailTaken, InvalidAddress, WeakPassword
from reloop.accounts.models import Address, User
from reloop.accounts.selectors import delivery_countries, get_address
from reloop.core.errors import InvalidInput
from reloop.markets.registry import get_market

#: The username is the email address, so an address longer than the username column cannot sign up.
MAX_EMAIL_LENGTH = User._meta.get_field("username").max_length or 150
MAX_ADDRESSES = 30


def normalize_email(email: str) -> str:
    """The sign-in identifier: trimmed and in lower case (no mail system in use tells cases apart)."""
    return email.strip().lower()


def check_email_free(email: str) -> None:
    """Raise ``EmailTaken`` when an account already uses ``email`` (in any case) as its email or username."""
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise EmailTaken(_("An account with this email address already exists."))


def register_buyer(*, email: str, password: str, market: str, first_name: str = "", last_name: str = "") -> User:
    """Create a buyer who signs in with ``email``. Raises ``InvalidInput``, ``EmailTaken`` or ``WeakPassword``.

    The password is hashed before the transaction opens: hashing is slow on purpose and must not hold the
    database's write lock.
    """
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(_("Enter a valid email address."), code="invalid_email") from exc
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput(
            _("Use an email address of at most %(max)s characters.") % {"max": MAX_EMAIL_LENGTH}, code="invalid_email"
        )
    user = User(
        username=email,
        email=email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        preferred_market=get_market(market).code,
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise WeakPassword(exc.messages) from exc
    check_email_free(email)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # signed up a moment ago by a concurrent request
        raise EmailTaken(_("An account with this email address already exists.")) from exc
    return user


def _lock_user(user: User) -> None:
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _clear_default(user: User) -> None:
    Address.objects.filter(user=user, is_default=True).update(is_default=False)


def add_address(*, user: User, data: Mapping[str, object], make_default: bool = False) -> Address:
    """Save a new address in the format of its country. The first address is the default one.

    Raises ``InvalidAddress`` (with an error per field) when the address breaks its country's rules or is in a
    country no enabled market delivers to.
    """
    address_data = clean_address(data, allowed_countries=delivery_countries())
    with transaction.atomic():
        _lock_user(user)
        existing = Address.objects.filter(user=user).values_list("is_default", flat=True)
        if len(existing) >= MAX_ADDRESSES:
            raise InvalidAddress({"": [_("You can keep at most %(max)s addresses.") % {"max": MAX_ADDRESSES}]})
        make_default = make_default or not any(existing)
        if make_default:
            _clear_default(user)
        return Address.objects.create(user=user, is_default=make_default, **address_data.as_dict())


def update_address(*, user: User, address_id: int, data: Mapping[str, object], make_default: bool = False) -> Address:
    """Replace the fields of one of the user's addresses; ``make_default`` also makes it the default one."""
    address_data = clean_address(data, allowed_countries=delivery_countries())
    with transaction.atomic():
        _lock_user(user)
        address = get_address(user=user, address_id=address_id)
        for name, value in address_data.as_dict().items():
            setattr(address, name, value)
        if make_default and not address.is_default:
            _clear_default(user)
            address.is_default = True
        address.save()
        return address


def delete_address(*, user: User, address_id: int) -> None:
    """Delete one of the user's addresses. When it was the default, their oldest other address becomes it."""
    with transaction.atomic():
        _lock_user(user)
        address = get_address(user=user, address_id=address_id)
        address.delete()
        if address.is_default:
            oldest = Address.objects.filter(user=user).order_by("created_at", "pk").values_list("pk", flat=True)[:1]
            Address.objects.filter(pk__in=list(oldest)).update(is_default=True)


def set_default_address(*, user: User, address_id: int) -> Address:
    """Make one of the user's addresses their default one (and no other)."""
    with transaction.atomic():
        _lock_user(user)
        address = get_address(user=user, address_id=address_id)
        if not address.is_default:
            _clear_default(user)
            Address.objects.filter(pk=address.pk).update(is_default=True)
            address.is_default = True
        return address
