"""How search follows the catalogue: documents rebuilt after the change commits."""

from __future__ import annotations

from reloop.catalog.events import CatalogueChanged
from reloop.search.services import index_models


def on_catalogue_changed(event: CatalogueChanged) -> None:
    index_models(model_ids=event.model_ids)
