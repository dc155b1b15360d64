"""Seller writes. For now: loading the demo refurbishers; onboarding comes with the seller-side work."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from reloop.sellers.models import Seller, Standing

DEMO_SELLERS_FILE = Path(__file__).resolve().parent / "data" / "demo_sellers.json"


@transaction.atomic
def load_demo_sellers(*, path: Path = DEMO_SELLERS_FILE) -> int:
    """Create or update the demo refurbishers, active and vetted; idempotent (keyed on the slug)."""
    rows = json.loads(path.read_text(encoding="utf-8"))["sellers"]
    for raw in rows:
        Seller.objects.update_or_create(
            slug=slugify(raw["name"]),
            defaults={
                "name": raw["name"],
                "legal_name": raw["legal_name"],
                "country": raw["country"],
                "city": raw.get("city", ""),
                "founded_year": raw.get("founded_year"),
                "description": raw.get("description", ""),
                "standing": Standing.ACTIVE,
            },
        )
    return len(rows)
