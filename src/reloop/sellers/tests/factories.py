from __future__ import annotations

import factory

from reloop.sellers.models import Seller, Standing


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    name = factory.Sequence(lambda n: f"Refurbisher {n}")
    slug = factory.Sequence(lambda n: f"refurbisher-{n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} Ltd")
    country = "FR"
    standing = Standing.ACTIVE
