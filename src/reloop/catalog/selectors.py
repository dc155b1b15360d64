"""Every catalogue read a page or an endpoint makes, each in a constant number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from django.db import connection
from django.db.models import Count, F, FilteredRelation, Min, Model, OuterRef, Q, QuerySet, Subquery

from reloop.catalog.errors import CategoryNotFound, ProductNotFound
from reloop.catalog.models import Category, ProductModel, ReferencePrice, Variant, format_storage
from reloop.core.pagination import Paged, paginate

T = TypeVar("T", bound=Model)
ModelSort = Literal["recent", "name", "price"]
MODEL_SORTS: tuple[ModelSort, ...] = ("recent", "name", "price")


def category_tree() -> list[Category]:
    """All categories, parents before children (one query)."""
    return list(Category.objects.all())


def top_categories(categories: Sequence[Category]) -> list[Category]:
    return [c for c in categories if c.parent_id is None]


def descendant_ids(category: Category, categories: Sequence[Category]) -> list[int]:
    """``category`` and every category below it, computed from an already-loaded tree."""
    children: dict[int | None, list[Category]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    found: list[int] = []
    stack = [category]
    while stack:
        node = stack.pop()
        found.append(node.pk)
        stack.extend(children.get(node.pk, []))
    return found


def get_category(slug: str, categories: Sequence[Category]) -> Category:
    for c in categories:
        if c.slug == slug:
            return c
    raise CategoryNotFound(f"No category {slug!r}")


def new_price_from(market: str) -> Subquery:
    """The lowest new reference price of a model's variants in ``market`` (minor units), as a subquery."""
    return Subquery(
        ReferencePrice.objects.filter(variant__product_model=OuterRef("pk"), market=market)
        .values("variant__product_model")
        .annotate(lowest=Min("amount"))
        .values("lowest")[:1]
    )


@dataclass(frozen=True)
class ModelFilters:
    category_ids: Sequence[int] | None = None
    brands: Sequence[str] = field(default_factory=tuple)  # brand slugs
    storage_gb: Sequence[int] = field(default_factory=tuple)
    query: str = ""


def filtered_models(filters: ModelFilters, *, skip: str = "") -> QuerySet[ProductModel]:
    qs = ProductModel.objects.all()
    if filters.category_ids is not None:
        qs = qs.filter(category_id__in=filters.category_ids)
    if filters.brands and skip != "brands":
        qs = qs.filter(brand__slug__in=filters.brands)
    if filters.storage_gb and skip != "storage":
        qs = qs.filter(_has_storage(filters.storage_gb))
    if filters.query:
        for word in filters.query.split()[:6]:
            qs = qs.filter(Q(name__icontains=word) | Q(brand__name__icontains=word))
    return qs


def _has_storage(storage: Sequence[int]) -> Q:
    return Q(pk__in=Variant.objects.filter(storage_gb__in=storage).values("product_model_id"))


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facets:
    brands: list[FacetValue]
    storage: list[FacetValue]


def model_facets(*, filters: ModelFilters) -> Facets:
    """Counts of models per brand and per storage size, each facet ignoring its own selection (two queries)."""
    brand_rows = (
        filtered_models(filters, skip="brands")
        .values("brand__slug", "brand__name")
        .annotate(n=Count("pk"))
        .order_by("brand__name")
    )
    storage_rows = (
        Variant.objects.filter(product_model__in=filtered_models(filters, skip="storage"), storage_gb__isnull=False)
        .values("storage_gb")
        .annotate(n=Count("product_model", distinct=True))
        .order_by("storage_gb")
    )
    return Facets(
        brands=[
            FacetValue(r["brand__slug"], r["brand__name"], r["n"], r["brand__slug"] in filters.brands)
            for r in brand_rows
        ],
        storage=[
            FacetValue(str(gb), format_storage(gb), r["n"], gb in filters.storage_gb)
            for r in storage_rows
            if (gb := r["storage_gb"]) is not None
        ],
    )


@dataclass(frozen=True)
class ProductPage:
    product_model: ProductModel
    variants: list[Variant]
    variant: Variant
    reference_price: ReferencePrice | None


def product_page(*, model_slug: str, variant_slug: str | None, market: str) -> ProductPage:
    """A model, all its variants, the chosen one (the first when none is named) and its new price in ``market``.

    Queries: the model with brand and category; its variants, each with its reference price in ``market`` joined
    (at most one: unique per variant and market): two, whatever the number of variants. A third query for the
    reference price cost a cold product view about 1 ms of Python (docs/adr/0032-cold-pages-and-the-template-path.md).
    """
    try:
        product_model = ProductModel.objects.select_related("brand", "category", "category__parent").get(
            slug=model_slug
        )
    except ProductModel.DoesNotExist:
        raise ProductNotFound(f"No product {model_slug!r}") from None
    variants: list[Variant] = list(
        product_model.variants.annotate(
            reference=FilteredRelation("reference_prices", condition=Q(reference_prices__market=market)),
            **{f"reference_{name}": F(f"reference__{name}") for name in _REFERENCE_FIELDS},
        )
    )
    if not variants:
        raise ProductNotFound(f"{product_model} has no variants")
    if variant_slug is None:
        variant = variants[0]
    else:
        matching = [v for v in variants if v.slug == variant_slug]
        if not matching:
            raise ProductNotFound(f"{product_model} has no variant {variant_slug!r}")
        variant = matching[0]
    reference_price = None
    if variant.reference_id is not None:  # type: ignore[attr-defined]  # annotated above
        reference_price = ReferencePrice(
            variant=variant,
            market=market,
            **{name: getattr(variant, f"reference_{name}") for name in _REFERENCE_FIELDS},
        )
    return ProductPage(product_model, variants, variant, reference_price)


#: The columns of a variant's reference price that ``product_page`` reads with the variants.
_REFERENCE_FIELDS = ("id", "amount", "currency", "source", "source_url", "observed_on")


# --- API reads ------------------------------------------------------------------------------------------


def categories_page(*, page: int, page_size: int) -> Paged[Category]:
    return paginate(
        Category.objects.select_related("parent").order_by("position", "pk"), page=page, page_size=page_size
    )


def _category_ids(slug: str | None) -> list[int] | None:
    if slug is None:
        return None
    categories = category_tree()
    return descendant_ids(get_category(slug, categories), categories)


def models_page(
    *,
    market: str,
    category: str | None,
    brand: str | None,
    q: str,
    sort: ModelSort,
    page: int,
    page_size: int,
) -> Paged[ProductModel]:
    """Product models with ``new_price_from`` (three queries: categories, count, page)."""
    filters = ModelFilters(category_ids=_category_ids(category), brands=(brand,) if brand else (), query=q)
    qs = filtered_models(filters).select_related("brand", "category").annotate(new_price_from=new_price_from(market))
    order = {"name": ("brand__name", "name", "pk"), "price": ("new_price_from", "pk")}.get(
        sort, ("-release_date", "pk")
    )
    return paginate(qs.order_by(*order), page=page, page_size=page_size)


@dataclass(frozen=True)
class ModelDetail:
    product_model: ProductModel
    variants: list[Variant]
    prices: dict[int, ReferencePrice]


def model_detail(*, slug: str, market: str) -> ModelDetail:
    """A model, its variants and their new prices in ``market`` (three queries)."""
    try:
        pm = ProductModel.objects.select_related("brand", "category").get(slug=slug)
    except ProductModel.DoesNotExist:
        raise ProductNotFound(f"No product model {slug!r}") from None
    variants = list(pm.variants.all())
    prices = {p.variant_id: p for p in ReferencePrice.objects.filter(variant__product_model=pm, market=market)}
    return ModelDetail(pm, variants, prices)


@dataclass(frozen=True)
class VariantPage(Paged[Variant]):
    prices: dict[int, ReferencePrice] = field(default_factory=dict)


def variants_page(
    *, market: str, model: str | None, category: str | None, brand: str | None, page: int, page_size: int
) -> VariantPage:
    """Variants with their new price in ``market`` (at most four queries: categories, count, page, prices)."""
    qs = Variant.objects.all()
    ids = _category_ids(category)
    if ids is not None:
        qs = qs.filter(product_model__category_id__in=ids)
    if model:
        qs = qs.filter(product_model__slug=model)
    if brand:
        qs = qs.filter(product_model__brand__slug=brand)
    paged = paginate(qs.order_by("product_model_id", "pk"), page=page, page_size=page_size)
    prices = {
        p.variant_id: p for p in ReferencePrice.objects.filter(variant__in=[v.pk for v in paged.items], market=market)
    }
    return VariantPage(paged.items, paged.count, paged.page, paged.page_size, prices)


def variant_exists(variant_id: int) -> bool:
    return Variant.objects.filter(pk=variant_id).exists()


def storage_sizes_by_model(model_ids: Sequence[int]) -> dict[int, list[int]]:
    """The distinct storage sizes of each model, smallest first (one query, no model instances)."""
    rows = (
        Variant.objects.filter(product_model_id__in=list(model_ids), storage_gb__isnull=False)
        .values_list("product_model_id", "storage_gb")
        .distinct()
        .order_by("product_model_id", "storage_gb")
    )
    sizes: dict[int, list[int]] = {}
    for model_id, gb in rows:
        if gb is not None:  # excluded by the query; the check is for the type checker
            sizes.setdefault(model_id, []).append(gb)
    return sizes


@dataclass(frozen=True)
class VariantRef:
    variant_id: int
    variant_slug: str
    cache_version: int


def variant_ref(*, model_slug: str, variant_slug: str | None) -> VariantRef:
    """The variant a product URL names (the model's first when none is), with its cache version: one query.

    This runs on every product page view, usually to find a cached body; building the ORM query cost more than
    running it, so it is one parameterized statement (table names from the models' metadata).
    """
    variant_table = connection.ops.quote_name(Variant._meta.db_table)
    model_table = connection.ops.quote_name(ProductModel._meta.db_table)
    sql = (
        f"SELECT v.id, v.slug, v.cache_version FROM {variant_table} v "  # noqa: S608  # names from model metadata
        f"JOIN {model_table} m ON m.id = v.product_model_id WHERE m.slug = %s"
    )
    params = [model_slug]
    if variant_slug is not None:
        sql += " AND v.slug = %s"
        params.append(variant_slug)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY v.id LIMIT 1", params)
        row = cursor.fetchone()
    if row is None:
        raise ProductNotFound(f"No product {model_slug!r}" + (f" variant {variant_slug!r}" if variant_slug else ""))
    return VariantRef(*row)
