"""Model cards for category, search and home pages, built in Python.

A page shows up to 24 cards; rendering each through nested template includes cost most of the page's time, so the
card is assembled with ``format_html`` (every value escaped) and the category icons are rendered once per process.
The markup is the one ``_model_card.html`` used to produce.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from reloop.catalog.grading import Grade
from reloop.catalog.models import format_storage
from reloop.core.money import Money
from reloop.markets.data import Market


@lru_cache(maxsize=64)
def icon(slug: str, size: int) -> SafeString:
    return mark_safe(render_to_string("web/_icon.html", {"slug": slug, "size": size}).strip())  # noqa: S308  # our own template


def _money(amount: int, market: Market) -> str:
    return Money(amount, market.currency).format(market.locale)


@dataclass(frozen=True)
class CardLabels:
    """The few translated words of a card, looked up once per list rather than once per card."""

    price_from: str
    new_from: str
    no_offer: str
    per_grade: str
    grades: dict[str, str]
    illustration: str = ""

    @classmethod
    def current(cls) -> CardLabels:
        return cls(
            gettext("From"),
            gettext("New from"),
            gettext("No offer yet"),
            gettext("Lowest price per grade"),
            {g.value: str(g.label) for g in Grade},
            gettext("Illustration"),
        )


def model_cards(models: Iterable[Any], market: Market) -> SafeString:
    labels = CardLabels.current()
    return mark_safe("".join(model_card(pm, market, labels) for pm in models))  # noqa: S308  # format_html output


#: The card's picture is about 220 CSS pixels wide, half the screen on a phone.
CARD_SIZES = "(max-width: 600px) 45vw, 220px"


def media_url(name: str) -> str:
    return reverse("catalogue_image", args=[name])


def picture(image: Any, illustration_label: str) -> SafeString:
    """``<picture>``: WebP with a JPEG fallback, ``srcset`` of every width, lazy, with width and height (no layout
    shift) and alt text; an illustration says so under it."""
    renditions = image.renditions
    webp = ", ".join(f"{media_url(r['webp'])} {r['w']}w" for r in renditions)
    jpeg = ", ".join(f"{media_url(r['jpeg'])} {r['w']}w" for r in renditions)
    default = next((r for r in renditions if r["w"] >= 320), renditions[-1])
    html = format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" loading="lazy" decoding="async" alt="{}">'
        "</picture>",
        webp,
        CARD_SIZES,
        media_url(default["jpeg"]),
        jpeg,
        CARD_SIZES,
        default["w"],
        default["h"],
        image.alt,
    )
    if image.is_illustration:
        html += format_html('<span class="illustration-label">{}</span>', illustration_label)
    return html


def card_url(pm: Any) -> str:
    """The variant and grade whose price the card shows (search.browse annotates them), else the model's page."""
    variant = getattr(pm, "best_variant", None)
    if not variant:
        return reverse("web:product_default", args=[pm.slug])
    url = reverse("web:product", args=[pm.slug, variant])
    grade = getattr(pm, "best_grade", None)
    return f"{url}?{urlencode({'grade': grade})}" if grade else url


def model_card(pm: Any, market: Market, labels: CardLabels) -> SafeString:
    sizes = getattr(pm, "storage_sizes", [])
    meta = str(pm.release_year) + (" · " + ", ".join(format_storage(gb) for gb in sizes) if sizes else "")
    price_from = getattr(pm, "price_from", None)
    new_from = getattr(pm, "new_price_from", None)
    if price_from:
        price = format_html(
            '<p class="card-price"><span class="muted">{}</span> {}</p>', labels.price_from, _money(price_from, market)
        )
        grades = getattr(pm, "grade_prices", [])
        if grades:
            price += format_html(
                '<ul class="card-grades" aria-label="{}">{}</ul>',
                labels.per_grade,
                format_html_join(
                    "", "<li>{} {}</li>", ((labels.grades[gp.grade], _money(gp.price, market)) for gp in grades)
                ),
            )
    elif new_from:
        price = format_html(
            '<p class="card-price"><span class="muted">{}</span> {}</p>', labels.new_from, _money(new_from, market)
        )
    else:
        price = format_html('<p class="card-meta">{}</p>', labels.no_offer)
    image = getattr(pm, "image", None)
    art = picture(image, labels.illustration) if image is not None else icon(pm.category.slug, 56)
    return format_html(
        '<li class="card"><a class="card-link" href="{}"><span class="card-art">{}</span>'
        '<span class="card-brand">{}</span><span class="card-title">{}</span></a>'
        '<p class="card-meta">{}</p>{}</li>',
        card_url(pm),
        art,
        pm.brand.name,
        pm.name,
        meta,
        price,
    )
