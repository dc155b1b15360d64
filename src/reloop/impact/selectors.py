"""Impact reads: the estimate for a product page and everything the methodology page lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from reloop.catalog.models import ProductModel
from reloop.impact.domain import ImpactEstimate, choose_footprint, estimate
from reloop.impact.models import CategoryFootprint, ImpactSource, ModelFootprint


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


CACHE_KEY = "impact:footprints:v1"


def footprint_table() -> FootprintTable:
    table: FootprintTable | None = cache.get(CACHE_KEY)
    if table is None:
        table = FootprintTable(
            {fp.product_model_id: fp for fp in ModelFootprint.objects.select_related("source")},
            {
                fp.category_id: fp
                for fp in CategoryFootprint.objects.select_related(
                    "category", "new_source", "manufacturing_share_source", "refurbishing_source"
                )
            },
        )
        cache.set(CACHE_KEY, table, settings.RELOOP_CATALOGUE_CACHE_SECONDS or 60)
    return table


def forget_footprints() -> None:
    cache.delete(CACHE_KEY)


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


def methodology() -> dict[str, Any]:
    """Every figure and every source, for the methodology page (three queries)."""
    return {
        "category_footprints": list(
            CategoryFootprint.objects.select_related(
                "category", "new_source", "manufacturing_share_source", "refurbishing_source"
            ).order_by("category__position", "category__name")
        ),
        "model_footprints": list(
            ModelFootprint.objects.select_related("product_model__brand", "product_model__category", "source").order_by(
                "product_model__category__position", "product_model__brand__name", "product_model__name"
            )
        ),
        "sources": list(ImpactSource.objects.all()),
    }
