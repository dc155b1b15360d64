"""Impact reads: the estimate for a product page and everything the methodology page lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reloop.catalog.models import ProductModel
from reloop.impact.domain import ImpactEstimate, choose_footprint, estimate
from reloop.impact.models import CategoryFootprint, ImpactSource, ModelFootprint


@dataclass(frozen=True)
class ModelImpact:
    estimate: ImpactEstimate
    model_footprint: ModelFootprint | None
    category_footprint: CategoryFootprint


def estimate_for_model(product_model: ProductModel) -> ModelImpact | None:
    """The avoided CO2e of buying this model refurbished, with the figures and sources used (two queries).

    ``None`` when no sourced figure exists for the model or its category: we show nothing rather than guess.
    """
    model_fp = ModelFootprint.objects.select_related("source").filter(product_model=product_model).first()
    category_fp = _category_footprint(product_model)
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


def _category_footprint(product_model: ProductModel) -> CategoryFootprint | None:
    """The footprint of the model's category, else of its parent category (one query)."""
    category = product_model.category
    ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rows = {
        fp.category_id: fp
        for fp in CategoryFootprint.objects.select_related(
            "category", "new_source", "manufacturing_share_source", "refurbishing_source"
        ).filter(category_id__in=ids)
    }
    return rows.get(category.pk) or rows.get(category.parent_id or 0)


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
