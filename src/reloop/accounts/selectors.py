"""Every read of accounts that a page makes, scoped to the person asking."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reloop.accounts.errors import AddressNotFound
from reloop.accounts.models import Address, User
from reloop.markets.registry import enabled_markets


def addresses_for(*, user: User) -> list[Address]:
    """The user's addresses, the default first, then oldest first. One query whatever their number."""
    return list(Address.objects.filter(user=user).order_by("-is_default", "created_at", "pk"))


def get_address(*, user: User, address_id: int) -> Address:
    """One of the user's addresses; another person's address is answered exactly like a missing one."""
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressNotFound(_("No address %(id)s") % {"id": address_id})
    return address


def delivery_countries() -> list[str]:
    """The countries addresses may be in: those of the enabled markets, in market order, each once."""
    return list(dict.fromkeys(m.country for m in enabled_markets()))
