"""The demo's people: a buyer, the owner of a demo refurbisher and an operator, with passwords printed by
``reloop demo``. Only ``reloop demo`` creates them (never ``reloop seed``, which benchmarks and tests use), so a
real deployment never gets accounts with known passwords. Idempotent on the email address."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from reloop.accounts.models import User
from reloop.core import clock
from reloop.sellers.models import ApplicationStatus, MemberRole, Seller, SellerApplication
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
    operator = _user("operator@reloop.test", is_staff=True, is_superuser=True)
    if seller is not None:
        add_seller_member(seller=seller, user=seller_user, role=MemberRole.OWNER)
        _trader_data(seller=seller, owner=seller_user, operator=operator)
    return DEMO_ACCOUNTS


def _trader_data(*, seller: Seller, owner: User, operator: User) -> None:
    """The demo refurbisher's approved onboarding application: the trader data its invoices print (fictional
    numbers). Once: a seller that has an application keeps it."""
    if SellerApplication.objects.filter(seller=seller).exists():
        return
    now = clock.now()
    SellerApplication.objects.create(
        applicant=owner, trading_name=seller.name, legal_name=seller.legal_name, country=seller.country,
        registration_number="RCS Lyon 000 000 000 (demo)", vat_number=f"{seller.country}00000000000",
        iban="FR7630006000011234567890189", address_line1="3 quai du Commerce", postcode="69009",
        city=seller.city or "Lyon", address_country=seller.country, contact_name="Demo Seller",
        email=owner.email or "seller@reloop.test", phone="+33 4 00 00 00 00", self_certified_at=now,
        status=ApplicationStatus.APPROVED, decided_by=operator, decided_at=now, seller=seller,
    )  # fmt: skip
