"""Seller-facing offer reads. Each takes the seller: one seller never sees another's offers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from reloop.catalog.errors import CategoryNotFound, ProductNotFound
from reloop.catalog.models import Brand, Category, Variant
from reloop.catalog.selectors import ModelFilters, category_tree, descendant_ids, filtered_models, get_category
from reloop.offers.errors import OfferNotFound
from reloop.offers.models import Offer, OfferPrice
from reloop.sellers.models import Seller


def seller_offers(*, seller: Seller) -> QuerySet[Offer]:
    """The seller's offers with their product and prices: one query, plus one for the prices of a page."""
    return (
        Offer.objects.filter(seller=seller)
        .select_related("variant__product_model__brand")
        .prefetch_related(Prefetch("prices", queryset=OfferPrice.objects.order_by("market")))
        .order_by("pk")
    )


def seller_offer(*, seller: Seller, offer_id: int) -> Offer:
    """One of the seller's offers; another seller's is answered exactly like a missing one."""
    offer = seller_offers(seller=seller).filter(pk=offer_id).first()
    if offer is None:
        raise OfferNotFound(f"No offer {offer_id}")
    return offer


# --- Back office: the offers table and listing a new offer ------------------------------------------------

#: How the back-office offers table may be sorted (``-`` first: descending).
OFFER_SORTS = ("sku", "-sku", "product", "-product", "stock", "-stock", "price", "-price", "-updated", "updated")


@dataclass(frozen=True)
class OfferFilters:
    """The filters of the back-office offers table; empty or ``None`` means "any"."""

    query: str = ""  # words matched against the SKU, the brand and the model name
    grade: str = ""
    in_stock: bool | None = None
    active: bool | None = None
    sort: str = "sku"


def filtered_seller_offers(*, seller: Seller, filters: OfferFilters, market: str) -> QuerySet[Offer]:
    """``seller_offers`` narrowed by ``filters`` and sorted; ``price`` sorts by the price in ``market`` (offers not
    sold there last). Still one query for the page and one for its prices."""
    qs = seller_offers(seller=seller)
    for word in filters.query.split()[:6]:
        qs = qs.filter(
            Q(sku__icontains=word)
            | Q(variant__product_model__name__icontains=word)
            | Q(variant__product_model__brand__name__icontains=word)
            | Q(variant__colour__icontains=word)
        )
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.in_stock is not None:
        qs = qs.filter(stock__gt=0) if filters.in_stock else qs.filter(stock=0)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    sort = filters.sort if filters.sort in OFFER_SORTS else "sku"
    descending, key = sort.startswith("-"), sort.lstrip("-")
    if key == "price":
        qs = qs.annotate(
            market_price=Subquery(OfferPrice.objects.filter(offer=OuterRef("pk"), market=market).values("amount")[:1])
        )
        column = F("market_price")
        return qs.order_by(column.desc(nulls_last=True) if descending else column.asc(nulls_last=True), "pk")
    field = {"sku": "sku", "product": "variant__product_model__name", "stock": "stock", "updated": "updated_at"}[key]
    return qs.order_by(f"-{field}" if descending else field, "pk")


def out_of_stock_count(*, seller: Seller) -> int:
    """The seller's active offers with no units left (one query)."""
    return Offer.objects.filter(seller=seller, is_active=True, stock=0).count()


def listable_variants(
    *, query: str = "", brand: str = "", category: str = "", limit: int = 20
) -> tuple[list[Variant], int]:
    """Catalogue variants a seller may list an offer against, matched by words (brand, model, colour), a brand
    slug and a category slug (with its sub-categories): at most ``limit`` of them, and how many match in all.

    Queries: the category tree when a category is named, the count and the page: three at most.
    """
    filters = ModelFilters(category_ids=_category_ids(category), brands=(brand,) if brand else (), query="")
    qs = Variant.objects.filter(product_model__in=filtered_models(filters)).select_related(
        "product_model__brand", "product_model__category"
    )
    for word in query.split()[:6]:
        qs = qs.filter(
            Q(product_model__name__icontains=word)
            | Q(product_model__brand__name__icontains=word)
            | Q(colour__icontains=word)
            | Q(ean=word)
        )
    qs = qs.order_by("product_model__brand__name", "product_model__name", "pk")
    return list(qs[:limit]), qs.count()


def _category_ids(slug: str) -> list[int] | None:
    if not slug:
        return None
    categories = category_tree()
    try:
        return descendant_ids(get_category(slug, categories), categories)
    except CategoryNotFound:
        return []


def listing_choices() -> tuple[list[Brand], list[Category]]:
    """Brands and categories for the new-offer search filters (two queries)."""
    return list(Brand.objects.order_by("name")), category_tree()


def listable_variant(*, variant_id: int) -> Variant:
    """One variant with its model and brand, for the new-offer form."""
    variant = Variant.objects.select_related("product_model__brand").filter(pk=variant_id).first()
    if variant is None:
        raise ProductNotFound(f"No variant {variant_id}")
    return variant
