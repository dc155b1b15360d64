from __future__ import annotations

import datetime as dt

import factory

from reloop.catalog.models import Brand, Category, ProductModel, ReferencePrice, Variant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    battery_min_health = 80
    # As catalog/data/categories.json says for these slugs; blank (serial, or the parent's) otherwise.
    unit_identification = factory.LazyAttribute(
        lambda o: {"smartphones": "imei", "video-games": "none"}.get(o.slug, "")
    )


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ProductModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductModel

    category = factory.SubFactory(CategoryFactory)
    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Phone {n}")
    slug = factory.LazyAttribute(lambda o: f"{o.brand.slug}-{o.name.lower().replace(' ', '-')}")
    release_date = dt.date(2022, 9, 1)
    specs = factory.LazyFunction(lambda: {"display_in": 6.1, "ram_gb": 6})


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product_model = factory.SubFactory(ProductModelFactory)
    storage_gb = 128
    colour = factory.Sequence(lambda n: f"Colour {n}")
    slug = factory.LazyAttribute(lambda o: f"{o.storage_gb}gb-{o.colour.lower().replace(' ', '-')}")


class ReferencePriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferencePrice

    variant = factory.SubFactory(VariantFactory)
    market = "en-gb"
    currency = "GBP"
    amount = 69900
    source = "Manufacturer launch price"
    source_url = "https://example.com/newsroom/"
    observed_on = dt.date(2022, 9, 7)


def make_models(n: int, *, category=None, brand=None) -> tuple[Category, list[ProductModel]]:
    """``n`` models with 128 and 256 GB variants priced in en-gb (GBP) and fr-fr (EUR)."""
    category = category or CategoryFactory(slug="smartphones", name="Smartphones", names={"fr": "Smartphones"})
    models: list[ProductModel] = []
    for i in range(n):
        pm = ProductModelFactory(category=category, brand=brand or BrandFactory(), release_date=dt.date(2020, 1, 1 + i))
        for storage in (128, 256):
            v = VariantFactory(product_model=pm, storage_gb=storage, colour="Black", slug=f"{storage}gb-black")
            ReferencePriceFactory(variant=v, market="en-gb", currency="GBP", amount=50000 + storage * 100 + i)
            ReferencePriceFactory(variant=v, market="fr-fr", currency="EUR", amount=60000 + storage * 100 + i)
    return category, models
