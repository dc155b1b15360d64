"""How search follows the catalogue and the offers: documents rebuilt, listing pages invalidated, after commit."""

from __future__ import annotations

from reloop.catalog.events import CatalogueChanged
from reloop.catalog.models import Variant
from reloop.catalog.services import touch_categories
from reloop.offers.events import OffersChanged
from reloop.search.services import index_models


def on_catalogue_changed(event: CatalogueChanged) -> None:
    index_models(model_ids=event.model_ids)


def on_offers_changed(event: OffersChanged) -> None:
    """The battery-tier facet and tier-filtered card prices read the offers themselves, not the buy boxes, so a
    change to any offer of a device with a battery (not only one that moves a lowest price) must reach the cached
    listing pages of its category (docs/search.md)."""
    category_ids = (
        Variant.objects.filter(
            pk__in=sorted(event.variant_ids), product_model__category__battery_min_health__isnull=False
        )
        .values_list("product_model__category_id", flat=True)
        .distinct()
    )
    touch_categories(category_ids=list(category_ids))
