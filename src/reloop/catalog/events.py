"""What the catalogue tells higher layers, after commit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueChanged:
    """These product models (their names, categories, variants or specs) were created or changed."""

    model_ids: frozenset[int]
