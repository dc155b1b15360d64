"""Public catalogue endpoints: categories, product models and variants, per market."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from reloop.api.errors import ErrorOut
from reloop.catalog import selectors
from reloop.catalog.models import ReferencePrice, Variant
from reloop.catalog.selectors import MODEL_SORTS
from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.markets.registry import get_market

router = Router(tags=["catalogue"])


class CategoryOut(Schema):
    slug: str
    name: str
    parent: str | None = Field(None, description="Slug of the parent category")
    battery_min_health: int | None = Field(None, description="Minimum battery health (%) of the standard tier")


class MoneyOut(Schema):
    amount: int = Field(..., description="Minor units (cents; yen have none)", examples=[67900])
    currency: str = Field(..., examples=["GBP"])
    formatted: str = Field(..., examples=["£679.00"])


class PriceOut(MoneyOut):
    source: str
    source_url: str
    observed_on: date


class VariantOut(Schema):
    id: int
    slug: str
    storage_gb: int | None
    colour: str
    options: dict[str, str]
    ean: str | None
    new_price: PriceOut | None = Field(None, description="Reference price new in the requested market")


class ProductModelOut(Schema):
    slug: str
    brand: str
    name: str
    category: str
    release_date: date
    specs: dict[str, Any]
    new_price_from: MoneyOut | None = Field(None, description="Lowest reference price new of its variants")


class ProductModelDetailOut(ProductModelOut):
    variants: list[VariantOut]


class Paginated(Schema):
    count: int = Field(..., description="Total number of items matching the filters")
    page: int
    page_size: int
    pages: int


class CategoryListOut(Paginated):
    items: list[CategoryOut]


class ProductModelListOut(Paginated):
    items: list[ProductModelOut]


class VariantListOut(Paginated):
    items: list[VariantOut]


class NoNulQuery(Schema):
    """Query parameters with no NUL character: no slug or word has one, and PostgreSQL can neither store nor
    compare it (a 500 otherwise). Refused with a 422 ``invalid_input``."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Text cannot contain a NUL character")
        return value


def _refuse_nul(**params: str | None) -> None:
    """The same rule for path and plain query parameters."""
    for name, value in params.items():
        if value is not None and "\x00" in value:
            raise InvalidInput(f"{name}: Text cannot contain a NUL character")


#: Every catalogue route answers 404 ``unknown_market`` and 422 ``invalid_input`` besides 200.
RESPONSES: dict[int, Any] = {404: ErrorOut, 422: ErrorOut}


class ModelQuery(NoNulQuery):
    market: str = Field("en-gb", description="Market code; prices are in its currency", examples=["fr-fr"])
    category: str | None = Field(None, description="Category slug; includes its subcategories")
    brand: str | None = Field(None, description="Brand slug, e.g. `apple`")
    q: str | None = Field(None, max_length=100, description="Words in the brand or model name")
    sort: str = Field("recent", pattern="^(" + "|".join(MODEL_SORTS) + ")$")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(24, ge=1, le=100)


class PageQuery(NoNulQuery):
    market: str = Field("en-gb", description="Market code; prices are in its currency")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(50, ge=1, le=200)


def _money(amount: int | None, market_code: str) -> MoneyOut | None:
    if amount is None:
        return None
    market = get_market(market_code)
    return MoneyOut(
        amount=amount,
        currency=market.currency,
        formatted=Money(amount, market.currency).format(market.locale),
    )


def _price(price: ReferencePrice | None, market_code: str) -> PriceOut | None:
    if price is None:
        return None
    market = get_market(market_code)
    return PriceOut(
        amount=price.amount,
        currency=price.currency,
        formatted=Money(price.amount, price.currency).format(market.locale),
        source=price.source,
        source_url=price.source_url,
        observed_on=price.observed_on,
    )


@router.get("/categories", response={200: CategoryListOut, **RESPONSES}, summary="List categories")
def list_categories(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    market = get_market(query.market)
    page = selectors.categories_page(page=query.page, page_size=query.page_size)
    items = [
        CategoryOut(
            slug=c.slug,
            name=c.localized_name(market.code),
            parent=c.parent.slug if c.parent else None,
            battery_min_health=c.battery_min_health,
        )
        for c in page.items
    ]
    return {**page.meta(), "items": items}


@router.get(
    "/models",
    response={200: ProductModelListOut, **RESPONSES},
    summary="List product models",
    description="Paginated with a total count; filter by category (with its subcategories), brand and words.",
)
def list_models(request: HttpRequest, query: Query[ModelQuery]) -> dict[str, Any]:
    market = get_market(query.market)
    page = selectors.models_page(
        market=market.code,
        category=query.category,
        brand=query.brand,
        q=query.q or "",
        sort=query.sort,  # type: ignore[arg-type]  # checked by the pattern above
        page=query.page,
        page_size=query.page_size,
    )
    items = [
        ProductModelOut(
            slug=m.slug,
            brand=m.brand.name,
            name=m.name,
            category=m.category.slug,
            release_date=m.release_date,
            specs=m.specs,
            new_price_from=_money(m.new_price_from, market.code),  # type: ignore[attr-defined]
        )
        for m in page.items
    ]
    return {**page.meta(), "items": items}


@router.get(
    "/models/{slug}",
    response={200: ProductModelDetailOut, **RESPONSES},
    summary="Get a model",
)
def get_model(request: HttpRequest, slug: str, market: str = "en-gb") -> dict[str, Any]:
    _refuse_nul(slug=slug, market=market)
    m = get_market(market)
    detail = selectors.model_detail(slug=slug, market=m.code)
    pm = detail.product_model
    return {
        "slug": pm.slug,
        "brand": pm.brand.name,
        "name": pm.name,
        "category": pm.category.slug,
        "release_date": pm.release_date,
        "specs": pm.specs,
        "new_price_from": None,
        "variants": [_variant(v, detail.prices.get(v.pk), m.code) for v in detail.variants],
    }


@router.get(
    "/variants",
    response={200: VariantListOut, **RESPONSES},
    summary="List variants",
    description="Every buyable variant, filterable by model, category and brand, with its new price in the market.",
)
def list_variants(
    request: HttpRequest,
    query: Query[PageQuery],
    model: str | None = None,
    category: str | None = None,
    brand: str | None = None,
) -> dict[str, Any]:
    _refuse_nul(model=model, category=category, brand=brand)
    market = get_market(query.market)
    page = selectors.variants_page(
        market=market.code,
        model=model,
        category=category,
        brand=brand,
        page=query.page,
        page_size=query.page_size,
    )
    return {**page.meta(), "items": [_variant(v, page.prices.get(v.pk), market.code) for v in page.items]}


def _variant(v: Variant, price: ReferencePrice | None, market_code: str) -> VariantOut:
    return VariantOut(
        id=v.pk,
        slug=v.slug,
        storage_gb=v.storage_gb,
        colour=v.colour,
        options=v.options,
        ean=v.ean,
        new_price=_price(price, market_code),
    )
