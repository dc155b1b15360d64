"""``reloop seed``: the catalogue, the impact figures and the demo refurbishers, in one idempotent pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reloop.catalog.dataset import parse_dataset
from reloop.catalog.services import CatalogueLoadReport, load_catalogue
from reloop.impact.services import FootprintLoadReport, load_footprints
from reloop.sellers.services import load_demo_sellers

Size = Literal["small", "medium", "large"]
SIZES: tuple[Size, ...] = ("small", "medium", "large")


@dataclass(frozen=True)
class SeedReport:
    size: Size
    catalogue: CatalogueLoadReport
    footprints: FootprintLoadReport
    sellers: int


def seed(*, size: Size) -> SeedReport:
    """Load everything a demo needs. Every step upserts on natural keys: running it twice duplicates nothing.

    The sizes differ by the number of offers, which arrive with the offers app; the catalogue is the same.
    """
    dataset = parse_dataset()
    catalogue = load_catalogue(dataset=dataset)
    footprints = load_footprints()
    sellers = load_demo_sellers()
    return SeedReport(size, catalogue, footprints, sellers)
