from __future__ import annotations

import factory
from django.utils import timezone

from reloop.sellers.models import ApplicationStatus, MemberRole, Seller, SellerApplication, SellerMember, Standing


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    name = factory.Sequence(lambda n: f"Refurbisher {n}")
    slug = factory.Sequence(lambda n: f"refurbisher-{n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} Ltd")
    country = "FR"
    standing = Standing.ACTIVE


class SellerMemberFactory(factory.django.DjangoModelFactory):
    """A person in a seller's back office (an owner unless said otherwise)."""

    class Meta:
        model = SellerMember

    seller = factory.SubFactory(SellerFactory)
    user = factory.SubFactory("reloop.accounts.tests.factories.UserFactory")
    role = MemberRole.OWNER


class SellerApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted, valid application (identifiers already in their clean form)."""

    class Meta:
        model = SellerApplication

    applicant = factory.SubFactory("reloop.accounts.tests.factories.UserFactory")
    trading_name = factory.Sequence(lambda n: f"Applicant {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.trading_name} SAS")
    country = "FR"
    registration_number = "732829320"
    vat_number = "FR40303265045"
    iban = "FR1420041010050500013M02606"
    address_line1 = "12 rue de la République"
    postcode = "69002"
    city = "Lyon"
    address_country = "FR"
    contact_name = "Camille Martin"
    email = factory.Sequence(lambda n: f"contact{n}@applicant.example")
    phone = "+33 4 72 00 00 00"
    self_certified_at = factory.LazyFunction(timezone.now)

    class Params:
        rejected = factory.Trait(
            status=ApplicationStatus.REJECTED,
            rejection_reason="The registration number belongs to another company.",
            decided_by=factory.SubFactory("reloop.accounts.tests.factories.UserFactory", is_staff=True),
            decided_at=factory.LazyFunction(timezone.now),
        )
