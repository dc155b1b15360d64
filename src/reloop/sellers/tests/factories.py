from __future__ import annotations

import factory

from reloop.sellers.models import MemberRole, Seller, SellerMember, Standing


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
