"""The demo's people: a buyer, the owner of a demo refurbisher and an operator, with passwords printed by
``reloop demo``. Only ``reloop demo`` creates them (never ``reloop seed``, which benchmarks and tests use), so a
real deployment never gets accounts with known passwords. Idempotent on the email address."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from reloop.accounts.models import User
from reloop.sellers.models import MemberRole, Seller
from reloop.sellers.services import add_seller_member

DEMO_PASSWORD = "reloop-demo"  # noqa: S105  # printed by `reloop demo`; demo accounts only
DEMO_SELLER_SLUG = "second-wind-devices"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str


DEMO_ACCOUNTS = (
    DemoAccount("buyer@reloop.test", "buyer"),
    DemoAccount("seller@reloop.test", f"owner of {DEMO_SELLER_SLUG}"),
    DemoAccount("operator@reloop.test", "operator (staff, superuser)"),
)


def _user(email: str, **flags: bool) -> User:
    user, created = User.objects.get_or_create(username=email, defaults={"email": email, **flags})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo_accounts() -> tuple[DemoAccount, ...]:
    _user("buyer@reloop.test")
    seller_user = _user("seller@reloop.test")
    seller = Seller.objects.filter(slug=DEMO_SELLER_SLUG).first()
    if seller is not None:
        add_seller_member(seller=seller, user=seller_user, role=MemberRole.OWNER)
    _user("operator@reloop.test", is_staff=True, is_superuser=True)
    return DEMO_ACCOUNTS
