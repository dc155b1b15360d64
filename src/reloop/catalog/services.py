"""Catalogue writes. The catalogue is operator data: it is loaded from the shipped dataset, idempotently."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from reloop.catalog.dataset import Dataset
from reloop.catalog.events import CatalogueChanged
from reloop.catalog.images import open_upload, store_renditions
from reloop.catalog.models import Brand, Category, ProductImage, ProductModel, ReferencePrice, Variant
from reloop.core.errors import InvalidInput
from reloop.core.events import publish

#: How many of the newest models of each top-level category the home page features.
FEATURED_PER_CATEGORY = 2


@dataclass(frozen=True)
class CatalogueLoadReport:
    categories: int
    brands: int
    product_models: int
    variants: int
    reference_prices: int


@transaction.atomic
def load_catalogue(*, dataset: Dataset) -> CatalogueLoadReport:
    """Create or update every category, brand, model, variant and reference price of ``dataset``.

    Upserts keyed on natural keys (slugs, variant × market), so running it twice changes nothing the second time
    and never duplicates a row. Rows absent from the dataset are left alone (offers may point at them).
    """
    categories = _load_categories(dataset)
    brands = _upsert(Brand, [Brand(name=b, slug=slugify(b)) for b in dataset.brands], unique=["slug"], update=["name"])
    brand_ids = {b.slug: b.pk for b in Brand.objects.filter(slug__in=[slugify(b) for b in dataset.brands])}
    category_ids = {c.slug: c.pk for c in categories}

    _upsert(
        ProductModel,
        [
            ProductModel(
                slug=m.slug,
                name=m.name,
                brand_id=brand_ids[slugify(m.brand)],
                category_id=category_ids[m.category],
                release_date=m.release_date,
                specs=m.specs,
            )
            for m in dataset.models
        ],
        unique=["slug"],
        update=["name", "brand", "category", "release_date", "specs"],
    )
    model_ids = dict(ProductModel.objects.filter(slug__in=[m.slug for m in dataset.models]).values_list("slug", "pk"))
    _mark_featured(dataset, categories)

    _upsert(
        Variant,
        [
            Variant(
                product_model_id=model_ids[m.slug],
                slug=v.slug,
                storage_gb=v.storage_gb,
                colour=v.colour,
                options=v.options,
            )
            for m in dataset.models
            for v in m.variants
        ],
        unique=["product_model", "slug"],
        update=["storage_gb", "colour", "options"],
    )
    variant_ids = {
        (pm_id, slug): pk
        for pk, pm_id, slug in Variant.objects.filter(product_model_id__in=model_ids.values()).values_list(
            "pk", "product_model_id", "slug"
        )
    }
    prices = [
        ReferencePrice(
            variant_id=variant_ids[(model_ids[m.slug], v.slug)],
            market=p.market,
            amount=p.amount,
            currency=p.currency,
            source=p.source,
            source_url=p.source_url,
            observed_on=p.observed_on,
        )
        for m in dataset.models
        for v in m.variants
        for p in v.prices
    ]
    _upsert(
        ReferencePrice,
        prices,
        unique=["variant", "market"],
        update=["amount", "currency", "source", "source_url", "observed_on"],
    )
    # Cached pages must show the catalogue as loaded, at once.
    Variant.objects.update(cache_version=F("cache_version") + 1)
    Category.objects.update(cache_version=F("cache_version") + 1)
    publish(CatalogueChanged(frozenset(model_ids.values())))  # search reindexes after commit
    return CatalogueLoadReport(
        categories=len(categories),
        brands=brands,
        product_models=len(dataset.models),
        variants=len(variant_ids),
        reference_prices=len(prices),
    )


def _upsert(model: type, rows: list, *, unique: list[str], update: list[str]) -> int:
    model.objects.bulk_create(  # type: ignore[attr-defined]
        rows, batch_size=500, update_conflicts=True, unique_fields=unique, update_fields=update
    )
    return len(rows)


def _load_categories(dataset: Dataset) -> list[Category]:
    by_slug: dict[str, Category] = {}
    for row in dataset.categories:  # parents come before their children in the file
        category, _created = Category.objects.update_or_create(
            slug=row.slug,
            defaults={
                "name": row.name,
                "names": row.names,
                "position": row.position,
                "battery_min_health": row.battery_min_health,
                "unit_identification": row.unit_identification,
                "parent": by_slug[row.parent] if row.parent else None,
            },
        )
        by_slug[row.slug] = category
    return list(by_slug.values())


def _mark_featured(dataset: Dataset, categories: list[Category]) -> None:
    """Feature the newest models of each top-level category, so the home page shows every kind of device."""
    parents = {c.slug: c.parent.slug if c.parent else c.slug for c in categories}
    newest: dict[str, list[str]] = {}
    for m in sorted(dataset.models, key=lambda m: m.release_date, reverse=True):
        picks = newest.setdefault(parents[m.category], [])
        if len(picks) < FEATURED_PER_CATEGORY:
            picks.append(m.slug)
    featured = [slug for picks in newest.values() for slug in picks]
    ProductModel.objects.filter(featured=True).exclude(slug__in=featured).update(featured=False)
    ProductModel.objects.filter(slug__in=featured).update(featured=True)


def touch_variants(*, variant_ids: Iterable[int]) -> None:
    """Invalidate the cached pages of these variants: what they show has changed (called after commit)."""
    ids = sorted(set(variant_ids))
    if ids:
        Variant.objects.filter(pk__in=ids).update(cache_version=F("cache_version") + 1)


def touch_categories(*, category_ids: Iterable[int]) -> None:
    """Invalidate the cached listing pages of these categories (and so of their parents, whose keys include them)."""
    ids = sorted(set(category_ids))
    if ids:
        Category.objects.filter(pk__in=ids).update(cache_version=F("cache_version") + 1)


def add_product_image(
    *,
    actor: Any,
    product_model_id: int,
    data: bytes,
    alt: str,
    colour: str = "",
    is_illustration: bool = False,
) -> ProductImage:
    """Check the upload, store its renditions and add it after the model's other images; cached pages follow.

    Refused uploads (``ImageRefused``: too large, not an image, a format we do not decode) store nothing."""
    image = open_upload(data)
    product_model = ProductModel.objects.filter(pk=product_model_id).first()
    if product_model is None:
        raise InvalidInput("No such product model.")
    alt = alt.strip()[:200] or product_model.title
    renditions = store_renditions(image, folder=f"catalogue/{product_model_id}")
    with transaction.atomic():
        position = ProductImage.objects.filter(product_model_id=product_model_id).count()
        created = ProductImage.objects.create(
            product_model_id=product_model_id,
            colour=colour,
            alt=alt,
            position=position,
            is_illustration=is_illustration,
            width=renditions[-1].width,
            height=renditions[-1].height,
            renditions=[r.as_dict() for r in renditions],
        )
        touch_categories(category_ids=[product_model.category_id])
        touch_variants(
            variant_ids=Variant.objects.filter(product_model_id=product_model_id).values_list("pk", flat=True)
        )
    return created


def add_missing_illustrations() -> int:
    """Give every model without a picture a drawing of its shape in its first colour (labelled as an
    illustration); models that have pictures are left alone, so running it twice adds nothing."""
    from reloop.catalog.illustrations import draw  # Pillow drawing code, only needed here

    done = set(ProductImage.objects.values_list("product_model_id", flat=True))
    made = 0
    for pm in ProductModel.objects.select_related("category", "brand").prefetch_related("variants"):
        if pm.pk in done:
            continue
        colour = next((v.colour for v in pm.variants.all() if v.colour), "")
        add_product_image(
            actor=None,
            product_model_id=pm.pk,
            data=draw(pm.category.slug, colour),
            alt=f"{pm.title}{', ' + colour if colour else ''} (illustration)",
            colour=colour,
            is_illustration=True,
        )
        made += 1
    return made


def replace_product_images(*, actor: Any, product_model_id: int, colour: str, data: bytes, alt: str) -> ProductImage:
    """Upload a picture for the model in ``colour`` ("" = any colour) and remove the ones it replaces (same model
    and colour), in one transaction; the replaced files go after commit. A refused upload changes nothing."""
    replaced = list(ProductImage.objects.filter(product_model_id=product_model_id, colour=colour))
    with transaction.atomic():
        created = add_product_image(actor=actor, product_model_id=product_model_id, data=data, alt=alt, colour=colour)
        for image in replaced:
            _delete_image(image)
    return created


def delete_product_image(*, actor: Any, image_id: int) -> bool:
    """Remove one picture (its stored files after commit) and renumber the model's others; False when it was
    already gone, so a second click changes nothing."""
    image = ProductImage.objects.select_related("product_model").filter(pk=image_id).first()
    if image is None:
        return False
    with transaction.atomic():
        _delete_image(image)
    return True


def _delete_image(image: ProductImage) -> None:
    from django.core.files.storage import default_storage

    product_model = image.product_model
    names = [str(r.get(key) or "") for r in image.renditions for key in ("webp", "jpeg")]
    ProductImage.objects.filter(pk=image.pk).delete()
    rest = ProductImage.objects.filter(product_model_id=product_model.pk).order_by("position", "pk")
    for position, pk in enumerate(rest.values_list("pk", flat=True)):
        ProductImage.objects.filter(pk=pk).update(position=position)
    touch_categories(category_ids=[product_model.category_id])
    touch_variants(variant_ids=Variant.objects.filter(product_model_id=product_model.pk).values_list("pk", flat=True))

    def delete_files() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete_files)
