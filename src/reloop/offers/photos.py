"""Sellers' photos of the actual unit an offer sells: adding, removing, and reading them for product pages.

The upload goes through the catalogue's image pipeline (``catalog.images``: size, format and decompression-bomb
checks, re-encoding to responsive WebP and JPEG renditions without metadata, Django's storage API). A seller only
ever reaches photos of its own offers: another seller's offer or photo is answered as missing. Product pages cache
under the variant's version, which every change bumps after commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reloop.catalog.images import open_upload, store_renditions
from reloop.catalog.services import touch_variants
from reloop.offers.errors import InvalidOffer, OfferNotFound
from reloop.offers.models import Offer, OfferPhoto
from reloop.sellers.models import Seller

MAX_PHOTOS_PER_OFFER = 8


def _own_offer(seller: Seller, offer_id: int) -> Offer:
    offer = Offer.objects.select_related("variant__product_model__brand").filter(pk=offer_id, seller=seller).first()
    if offer is None:
        raise OfferNotFound(f"No offer {offer_id}")
    return offer


def add_offer_photo(*, seller: Seller, offer_id: int, data: bytes, alt: str = "") -> OfferPhoto:
    """Check and store one photo of the unit after the offer's others. The same file sent again (a retried
    upload) returns the photo it made the first time. Refused, storing nothing: another seller's offer
    (``OfferNotFound``), more than ``MAX_PHOTOS_PER_OFFER`` photos, and any file the pipeline refuses
    (``ImageRefused``: too large, not a JPEG/PNG/WebP image, damaged, too many pixels, too small)."""
    offer = _own_offer(seller, offer_id)
    digest = hashlib.sha256(data).hexdigest()
    existing = OfferPhoto.objects.filter(offer=offer, digest=digest).first()
    if existing is not None:
        return existing
    if OfferPhoto.objects.filter(offer=offer).count() >= MAX_PHOTOS_PER_OFFER:
        raise InvalidOffer(
            _("An offer has at most %(count)s photos: remove one before adding another.")
            % {"count": MAX_PHOTOS_PER_OFFER},
            code="too_many_photos",
        )
    image = open_upload(data)  # ImageRefused, with the reason, before anything is stored
    alt = alt.strip()[:200] or _("Photo of the unit sold: %(product)s %(label)s") % {
        "product": offer.variant.product_model.title,
        "label": offer.variant.label,
    }
    renditions = store_renditions(image, folder=f"offers/{offer.pk}")
    try:
        with transaction.atomic():
            position = OfferPhoto.objects.filter(offer=offer).count()
            photo = OfferPhoto.objects.create(
                offer=offer,
                position=position,
                alt=alt,
                width=renditions[-1].width,
                height=renditions[-1].height,
                renditions=[r.as_dict() for r in renditions],
                digest=digest,
            )
    except IntegrityError:  # the same file, sent twice at once: keep the first, drop our copies
        _delete_files([r.as_dict() for r in renditions])
        return OfferPhoto.objects.get(offer=offer, digest=digest)
    variant_id = offer.variant_id
    transaction.on_commit(lambda: touch_variants(variant_ids=[variant_id]))
    return photo


def delete_offer_photo(*, seller: Seller, offer_id: int, photo_id: int) -> bool:
    """Remove one of the seller's photos (its stored files go after commit). False when it was already gone, so a
    second click changes nothing; another seller's photo is ``OfferNotFound``."""
    offer = _own_offer(seller, offer_id)
    photo = OfferPhoto.objects.filter(pk=photo_id, offer=offer).first()
    if photo is None:
        return False
    renditions = list(photo.renditions)
    with transaction.atomic():
        deleted, _rows = OfferPhoto.objects.filter(pk=photo.pk).delete()
        for position, pk in enumerate(
            OfferPhoto.objects.filter(offer=offer).order_by("position", "pk").values_list("pk", flat=True)
        ):
            OfferPhoto.objects.filter(pk=pk).update(position=position)
        variant_id = offer.variant_id
        transaction.on_commit(lambda: _after_delete(renditions, variant_id))
    return bool(deleted)


def _after_delete(renditions: list[Any], variant_id: int) -> None:
    _delete_files(renditions)
    touch_variants(variant_ids=[variant_id])


def _delete_files(renditions: list[Any]) -> None:
    for r in renditions:
        for key in ("webp", "jpeg"):
            name = str(r.get(key) or "")
            if name:
                default_storage.delete(name)


def photos_of(*, seller: Seller, offer_id: int) -> list[OfferPhoto]:
    """The seller's own offer's photos, in order (one query)."""
    return list(OfferPhoto.objects.filter(offer_id=offer_id, offer__seller=seller).order_by("position", "pk"))


def photos_by_offer(offer_ids: Iterable[int]) -> dict[int, list[OfferPhoto]]:
    """Photos of these offers for a product page, by offer (one query whatever the number of offers)."""
    found: dict[int, list[OfferPhoto]] = {}
    for photo in OfferPhoto.objects.filter(offer_id__in=sorted(set(offer_ids))).order_by("offer_id", "position", "pk"):
        found.setdefault(photo.offer_id, []).append(photo)
    return found
