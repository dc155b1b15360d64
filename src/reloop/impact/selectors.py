"""Impact reads: the estimate for a product page and everything the methodology page lists."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache

from reloop.catalog.models import ProductModel
from reloop.impact.domain import (
    ImpactEstimate,
    OfferImpact,
    Spread,
    choose_footprint,
    estimate,
    has_new_parts,
    new_device_spread,
    offer_avoided,
    route,
)
from reloop.impact.models import CategoryFootprint, ImpactSource, ModelFootprint, TransportFactor, TransportMode
from reloop.markets.registry import get_market
from reloop.offers.models import Offer


@dataclass(frozen=True)
class ModelImpact:
    estimate: ImpactEstimate
    model_footprint: ModelFootprint | None
    category_footprint: CategoryFootprint


@dataclass(frozen=True)
class FootprintTable:
    """Every published figure, by model id and by category id: a few dozen rows, read on every product page and
    every checkout line, changed only by ``load_footprints`` (which clears the cache)."""

    by_model: dict[int, ModelFootprint]
    by_category: dict[int, CategoryFootprint]
    transport: dict[str, TransportFactor] = field(default_factory=dict)


CACHE_KEY = "impact:footprints:v2"
#: A token that changes whenever the table is forgotten: each process keeps the table it read (unpickling it from
#: the cache on every product page view cost ~2 ms, docs/adr/0032-cold-pages-and-the-template-path.md) for as long
#: as the token it read it under is still the cache's, and at most the catalogue cache's TTL.
GENERATION_KEY = "impact:footprints:generation"
_memo: tuple[str, float, FootprintTable] | None = None  # (generation, monotonic expiry, table)


def footprint_table() -> FootprintTable:
    global _memo  # a per-process memo, replaced whole (one assignment: safe across threads)
    ttl = settings.RELOOP_CATALOGUE_CACHE_SECONDS or 60
    generation: str | None = cache.get(GENERATION_KEY)
    memo = _memo
    if memo is not None and generation == memo[0] and time.monotonic() < memo[1]:
        return memo[2]
    if generation is None:
        generation = uuid.uuid4().hex
        cache.set(GENERATION_KEY, generation, ttl)
    table = _shared_table(ttl)
    _memo = (generation, time.monotonic() + ttl, table)
    return table


def _shared_table(ttl: int) -> FootprintTable:
    table: FootprintTable | None = cache.get(CACHE_KEY)
    if table is None:
        table = FootprintTable(
            {fp.product_model_id: fp for fp in ModelFootprint.objects.select_related("source")},
            {
                fp.category_id: fp
                for fp in CategoryFootprint.objects.select_related(
                    "category",
                    "new_source",
                    "manufacturing_share_source",
                    "refurbishing_source",
                    "refurbishing_light_source",
                )
            },
            {tf.mode: tf for tf in TransportFactor.objects.all()},
        )
        cache.set(CACHE_KEY, table, ttl)
    return table


def forget_footprints() -> None:
    """After the figures changed: every process reads them again on its next view (the token is gone)."""
    cache.delete_many([CACHE_KEY, GENERATION_KEY])


def estimate_for_model(product_model: ProductModel) -> ModelImpact | None:
    """The avoided CO2e of buying this model refurbished, with the figures and sources used.

    Reads the cached footprint table (no query once warm). ``None`` when no sourced figure exists for the model or
    its category: we show nothing rather than guess. The model's ``category`` must be loaded (or is loaded).
    """
    table = footprint_table()
    model_fp = table.by_model.get(product_model.pk)
    category = product_model.category
    category_fp = table.by_category.get(category.pk) or table.by_category.get(category.parent_id or 0)
    if category_fp is None:
        return None
    footprint = choose_footprint(
        model_total=model_fp.total_kgco2e if model_fp else None,
        model_share=model_fp.manufacturing_share if model_fp else None,
        category_new=category_fp.new_kgco2e,
        category_share=category_fp.manufacturing_share,
        category_refurbishing=category_fp.refurbishing_kgco2e,
    )
    if footprint is None:
        return None
    return ModelImpact(estimate(footprint), model_fp, category_fp)


def _factor(table: FootprintTable, mode: str) -> Spread | None:
    factor = table.transport.get(mode)
    if factor is None:
        return None
    return Spread(factor.low_kg_per_tonne_km, factor.point_kg_per_tonne_km, factor.high_kg_per_tonne_km)


def estimate_for_offer(offer: Offer, market: str, *, product_model: ProductModel | None = None) -> OfferImpact | None:
    """The avoided CO2e of one unit of ``offer`` bought in ``market``: a point figure within a low–high range,
    from the offer's parts (a new battery or newly made parts count as a full refurbishment) and the distance from
    the seller's country to the market's (docs/adr/0042-per-offer-co2e-ranges.md).

    No query once the footprint table is warm, when the offer's seller and variant → model → category are loaded
    (or ``product_model``, with its category, is given). ``None`` when the model's category has no sourced figure,
    or the per-offer figures are not loaded yet.
    """
    impact = estimate_for_model(product_model or offer.variant.product_model)
    if impact is None:
        return None
    table = footprint_table()
    category_fp = impact.category_footprint
    road, air = _factor(table, TransportMode.ROAD), _factor(table, TransportMode.AIR)
    if road is None or air is None or category_fp.refurbishing_light_kgco2e is None:
        return None
    footprint = impact.estimate.footprint
    new_spread = new_device_spread(
        point=footprint.new_kgco2e,
        category_point=category_fp.new_kgco2e,
        category_low=category_fp.new_kgco2e_low or category_fp.new_kgco2e,
        category_high=category_fp.new_kgco2e_high or category_fp.new_kgco2e,
    )
    return offer_avoided(
        footprint=footprint,
        new_spread=new_spread,
        refurbishing=Spread(
            category_fp.refurbishing_light_kgco2e, category_fp.refurbishing_kgco2e, category_fp.refurbishing_kgco2e
        ),
        new_parts=has_new_parts(
            battery_tier=offer.battery_tier,
            parts_provenance=offer.parts_provenance,
            replaced_parts=list(offer.replaced_parts or []),
        ),
        route=route(offer.seller.country, get_market(market).country),
        road_kg_per_tonne_km=road,
        air_kg_per_tonne_km=air,
        shipped_kg=category_fp.shipped_kg or Decimal(0),
    )


def methodology() -> dict[str, Any]:
    """Every figure and every source, for the methodology page (four queries)."""
    return {
        "category_footprints": list(
            CategoryFootprint.objects.select_related(
                "category",
                "new_source",
                "manufacturing_share_source",
                "refurbishing_source",
                "refurbishing_light_source",
            ).order_by("category__position", "category__name")
        ),
        "model_footprints": list(
            ModelFootprint.objects.select_related("product_model__brand", "product_model__category", "source").order_by(
                "product_model__category__position", "product_model__brand__name", "product_model__name"
            )
        ),
        "sources": list(ImpactSource.objects.all()),
        "transport_factors": list(TransportFactor.objects.select_related("low_source", "high_source")),
    }
