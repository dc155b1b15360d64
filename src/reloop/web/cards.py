"""Model cards for category, search and home pages, built in Python.

A page shows up to 24 cards; rendering each through nested template includes cost most of the page's time, so the
card is assembled with ``format_html`` (every value escaped) and the category icons are rendered once per process.
The markup is the one ``_model_card.html`` used to produce.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from reloop.catalog import support
from reloop.catalog.grading import Grade
from reloop.catalog.illustrations import colour_rgb
from reloop.catalog.models import format_storage
from reloop.catalog.names import colour_name
from reloop.core import clock
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
    updates_until: str = ""  # "Updates until %(year)s" (catalog.support): the manufacturer's committed horizon

    @classmethod
    def current(cls) -> CardLabels:
        return cls(
            gettext("From"),
            gettext("New from"),
            gettext("No offer yet"),
            gettext("Lowest price per grade"),
            {g.value: str(g.label) for g in Grade},
            gettext("Illustration"),
            gettext("Security updates until %(year)s"),
        )


def model_cards(models: Iterable[Any], market: Market, *, to_door: Callable[[int], int] | None = None) -> SafeString:
    """The cards of ``models``; ``to_door`` turns a refurbished price into what the buyer pays to their door (the
    US state's estimated sales tax, ``checkout.all_in``); new prices are shown as published."""
    labels = CardLabels.current()
    return mark_safe("".join(model_card(pm, market, labels, to_door=to_door) for pm in models))  # noqa: S308


#: The card's picture is about 220 CSS pixels wide, half the screen on a phone.
CARD_SIZES = "(max-width: 600px) 45vw, 220px"


#: Shapes of the generated drawings (viewBox 0 0 120 120), one per category; ``{f}`` is the device's colour.
SHAPES = {
    "smartphones": '<rect x="38" y="10" width="44" height="100" rx="9" fill="{f}"/><rect x="43" y="18" width="34"'
    ' height="82" rx="4" fill="#1f2326"/>',
    "tablets": '<rect x="22" y="14" width="76" height="92" rx="8" fill="{f}"/><rect x="28" y="20" width="64"'
    ' height="80" rx="3" fill="#1f2326"/>',
    "laptops": '<rect x="26" y="28" width="68" height="46" rx="4" fill="{f}"/><rect x="31" y="33" width="58"'
    ' height="36" fill="#1f2326"/><path d="M14 80h92l-7 10H21z" fill="{f}"/>',
    "desktops": '<rect x="16" y="22" width="88" height="56" rx="4" fill="{f}"/><rect x="21" y="27" width="78"'
    ' height="46" fill="#1f2326"/><rect x="54" y="78" width="12" height="18" fill="{f}"/><rect x="40" y="94"'
    ' width="40" height="6" rx="3" fill="{f}"/>',
    "consoles": '<rect x="14" y="44" width="92" height="36" rx="12" fill="{f}"/><circle cx="34" cy="62" r="6"'
    ' fill="#1f2326"/><circle cx="86" cy="62" r="6" fill="#1f2326"/>',
    "video-games": '<rect x="32" y="14" width="56" height="92" rx="4" fill="{f}"/><rect x="37" y="24" width="46"'
    ' height="72" fill="#fff"/><circle cx="60" cy="60" r="14" fill="none" stroke="#1f2326" stroke-width="3"/>',
    "smartwatches": '<rect x="48" y="10" width="24" height="100" fill="{f}"/><rect x="36" y="36" width="48"'
    ' height="48" rx="12" fill="{f}"/><rect x="41" y="41" width="38" height="38" rx="8" fill="#1f2326"/>',
    "audio": '<path d="M28 70V58a32 32 0 0 1 64 0v12" fill="none" stroke="{f}" stroke-width="8"/><rect x="20"'
    ' y="64" width="18" height="32" rx="7" fill="{f}"/><rect x="82" y="64" width="18" height="32" rx="7" fill="{f}"/>',
    "keyboards": '<rect x="10" y="42" width="100" height="38" rx="5" fill="{f}"/><path d="M18 52h84M18 61h84M18'
    ' 70h84" stroke="#fff" stroke-width="4" stroke-dasharray="6 3"/>',
    "mice": '<ellipse cx="60" cy="62" rx="22" ry="38" fill="{f}"/><path d="M60 26v22" stroke="#1f2326"'
    ' stroke-width="3"/>',
}
SHAPES["monitors"] = SHAPES["desktops"]
SHAPES["computers"] = SHAPES["laptops"]
SHAPES["gaming"] = SHAPES["consoles"]


def illustration(category: str, colour: str, alt: str, label: str) -> SafeString:
    """The demo's drawing of a device: its category's shape in its colour, labelled as an illustration."""
    r, g, b = colour_rgb(colour) if colour else (150, 152, 155)
    shape = SHAPES.get(category, '<rect x="20" y="20" width="80" height="80" rx="10" fill="{f}"/>')
    svg = shape.replace("{f}", f"#{r:02x}{g:02x}{b:02x}")
    return format_html(
        '<svg class="illustration" viewBox="0 0 120 120" width="120" height="120" role="img" aria-label="{}">'
        '<rect width="120" height="120" rx="10" fill="#f2f4f3"/>{}</svg><span class="illustration-label">{}</span>',
        alt,
        mark_safe(svg),  # noqa: S308  # constant shapes; the colour is formatted from integers
        label,
    )


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
    """The variant, grade and battery tier whose price the card shows (search.browse annotates them), else the
    model's page."""
    variant = getattr(pm, "best_variant", None)
    if not variant:
        return reverse("web:product_default", args=[pm.slug])
    url = reverse("web:product", args=[pm.slug, variant])
    choice = {"grade": getattr(pm, "best_grade", None), "battery": getattr(pm, "best_battery", None)}
    query = {name: value for name, value in choice.items() if value}
    return f"{url}?{urlencode(query)}" if query else url


def model_card(
    pm: Any, market: Market, labels: CardLabels, *, to_door: Callable[[int], int] | None = None
) -> SafeString:
    door = to_door or (lambda amount: amount)
    sizes = getattr(pm, "storage_sizes", [])
    meta = str(pm.release_year) + (" · " + ", ".join(format_storage(gb) for gb in sizes) if sizes else "")
    horizon = support.horizon(brand=pm.brand.name, name=pm.name, release_date=pm.release_date)
    if horizon.until is not None and labels.updates_until and not horizon.ended(clock.today()):
        meta += " · " + labels.updates_until % {"year": horizon.until.year}
    price_from = getattr(pm, "price_from", None)
    new_from = getattr(pm, "new_price_from", None)
    if price_from:
        price = format_html(
            '<p class="card-price"><span class="muted">{}</span> {}</p>',
            labels.price_from,
            _money(door(price_from), market),
        )
        grades = getattr(pm, "grade_prices", [])
        if grades:
            price += format_html(
                '<ul class="card-grades" aria-label="{}">{}</ul>',
                labels.per_grade,
                format_html_join(
                    "", "<li>{} {}</li>", ((labels.grades[gp.grade], _money(door(gp.price), market)) for gp in grades)
                ),
            )
    elif new_from:
        price = format_html(
            '<p class="card-price"><span class="muted">{}</span> {}</p>', labels.new_from, _money(new_from, market)
        )
    else:
        price = format_html('<p class="card-meta">{}</p>', labels.no_offer)
    image = getattr(pm, "image", None)
    if image is not None:
        art = picture(image, labels.illustration)
    elif hasattr(pm, "card_colour"):  # listings drawn by search.browse: the demo's drawing in the model's colour
        colour = pm.card_colour
        alt = f"{pm.display_name}, {colour_name(colour)}" if colour else pm.display_name
        art = illustration(pm.category.slug, colour, alt, labels.illustration)
    else:
        art = icon(pm.category.slug, 56)
    return format_html(
        '<li class="card"><a class="card-link" href="{}"><span class="card-art">{}</span>'
        '<span class="card-brand">{}</span><span class="card-title">{}</span></a>'
        '<p class="card-meta">{}</p>{}</li>',
        card_url(pm),
        art,
        pm.brand.name,
        pm.display_name,
        meta,
        price,
    )
