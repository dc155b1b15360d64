"""Sellers' photos of the unit on the product page: read once per page, shown per offer, labelled as the seller's.

``{% page_seller_photos offers as seller_photos %}`` reads the photos of the buy-box offer and the other offers in
one query; ``{% seller_photos seller_photos line.offer.pk %}`` shows an offer's photos (nothing when it has none)
in a ``<details>`` that works without JavaScript, each a responsive ``<picture>`` with width, height and alt text.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from reloop.offers.models import OfferPhoto
from reloop.offers.photos import MAX_PHOTOS_PER_OFFER, photos_by_offer
from reloop.web.cards import picture

register = template.Library()


@register.simple_tag
def page_seller_photos(offers: Any) -> dict[int, list[OfferPhoto]]:
    lines = [offers.buy_box, *offers.others] if offers is not None and offers.buy_box is not None else []
    return photos_by_offer(line.offer.pk for line in lines)


@register.simple_tag
def seller_photos(photos: dict[int, list[OfferPhoto]] | None, offer_id: int) -> SafeString | str:
    found = (photos or {}).get(offer_id) or []
    if not found:
        return ""
    summary = ngettext(
        "%(count)s photo of this unit from the seller", "%(count)s photos of this unit from the seller", len(found)
    ) % {"count": len(found)}
    note = gettext("Taken by the seller of the unit you will receive; Reloop does not check them.")
    return format_html(
        '<details class="seller-photos" data-testid="seller-photos"><summary>{}</summary>'
        '<p class="muted small">{}</p><div class="seller-photo-grid">{}</div></details>',
        summary,
        note,
        format_html_join("", "<figure>{}</figure>", ((picture(p, ""),) for p in found)),
    )


@register.simple_tag
def offer_photos_of(offer: Any) -> list[OfferPhoto]:
    """The photos of one offer (the back office's offer page, already scoped to the seller's own offer)."""
    return photos_by_offer([offer.pk]).get(offer.pk, [])


@register.simple_tag
def offer_photo_picture(photo: OfferPhoto) -> SafeString:
    return picture(photo, "")


@register.simple_tag
def max_offer_photos() -> int:
    return MAX_PHOTOS_PER_OFFER
