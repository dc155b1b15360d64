"""Impact writes: loading the published reference figures shipped in ``impact/data``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from reloop.catalog.dataset import DatasetError, model_slug
from reloop.catalog.models import Category, ProductModel
from reloop.impact.models import CategoryFootprint, ImpactSource, ModelFootprint, TransportFactor, TransportMode
from reloop.impact.selectors import forget_footprints

FOOTPRINTS_FILE = Path(__file__).resolve().parent / "data" / "footprints.json"


@dataclass(frozen=True)
class FootprintLoadReport:
    sources: int
    categories: int
    models: int
    unmatched_models: list[str]


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def load_footprints(*, path: Path = FOOTPRINTS_FILE) -> FootprintLoadReport:
    """Create or update every source and figure of the file; idempotent. Needs the catalogue loaded first.

    A model figure whose model is not in the catalogue is reported, not loaded.
    """
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path.name}: cannot read JSON ({exc})") from exc
    sources: dict[str, ImpactSource] = {}
    for raw in data["sources"]:
        source, _ = ImpactSource.objects.update_or_create(
            key=raw["key"],
            defaults={
                "title": raw["title"],
                "publisher": raw["publisher"],
                "url": raw["url"],
                "published_on": _date(raw.get("published_on")),
                "licence": raw.get("licence", ""),
                "note": raw.get("note", ""),
            },
        )
        sources[source.key] = source
    categories = {c.slug: c for c in Category.objects.all()}
    for raw in data["categories"]:
        if raw["category"] not in categories:
            raise DatasetError(f"{path.name}: unknown category {raw['category']!r}")
        CategoryFootprint.objects.update_or_create(
            category=categories[raw["category"]],
            defaults={
                "new_kgco2e": Decimal(raw["new_kgco2e"]),
                "new_source": sources[raw["new_source"]],
                "manufacturing_share": Decimal(raw["manufacturing_share"]),
                "manufacturing_share_source": sources[raw["manufacturing_share_source"]],
                "refurbishing_kgco2e": Decimal(raw["refurbishing_kgco2e"]),
                "refurbishing_source": sources[raw["refurbishing_source"]],
                "new_kgco2e_low": _decimal(raw.get("new_kgco2e_low")),
                "new_kgco2e_high": _decimal(raw.get("new_kgco2e_high")),
                "spread_note": raw.get("spread_note", ""),
                "refurbishing_light_kgco2e": _decimal(raw.get("refurbishing_light_kgco2e")),
                "refurbishing_light_source": (
                    sources[raw["refurbishing_light_source"]] if raw.get("refurbishing_light_source") else None
                ),
                "shipped_kg": Decimal(raw.get("shipped_kg", "0.5")),
                "note": raw.get("note", ""),
            },
        )
    for raw in data.get("transport", []):
        if raw["mode"] not in TransportMode.values:
            raise DatasetError(f"{path.name}: unknown transport mode {raw['mode']!r}")
        TransportFactor.objects.update_or_create(
            mode=raw["mode"],
            defaults={
                "low_kg_per_tonne_km": Decimal(raw["low_kg_per_tonne_km"]),
                "point_kg_per_tonne_km": Decimal(raw["point_kg_per_tonne_km"]),
                "high_kg_per_tonne_km": Decimal(raw["high_kg_per_tonne_km"]),
                "low_source": sources[raw["low_source"]],
                "high_source": sources[raw["high_source"]],
                "note": raw.get("note", ""),
            },
        )
    wanted = {model_slug(r["brand"], r["name"]): r for r in data["models"]}
    models = ProductModel.objects.in_bulk(list(wanted), field_name="slug")
    unmatched = [f"{r['brand']} {r['name']}" for slug, r in wanted.items() if slug not in models]
    for slug, raw in wanted.items():
        if slug not in models:
            continue
        ModelFootprint.objects.update_or_create(
            product_model=models[slug],
            defaults={
                "total_kgco2e": Decimal(raw["total_kgco2e"]),
                "manufacturing_share": Decimal(raw["manufacturing_share"]),
                "lifetime_years": Decimal(raw["lifetime_years"]) if raw.get("lifetime_years") else None,
                "reference_configuration": raw.get("reference_configuration", ""),
                "report": raw["report"],
                "report_date": dt.date.fromisoformat(raw["report_date"]),
                "source": sources[raw.get("source", "boavizta")],
            },
        )
    transaction.on_commit(forget_footprints)
    return FootprintLoadReport(len(sources), len(data["categories"]), len(wanted) - len(unmatched), unmatched)
