"""Structured data for search engines: schema.org Product / Offer / AggregateRating as JSON-LD (docs/search.md)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString

from reloop.core.money import Money

register = template.Library()

REFURBISHED = "https://schema.org/RefurbishedCondition"
IN_STOCK = "https://schema.org/InStock"


def product_data(*, base: str, product: Any, variant: Any, offers: Any, ratings: Any) -> dict[str, Any]:
    """The JSON-LD of one product page: the variant as a Product, its buy box as an Offer, the model's rating."""
    url = base + reverse("web:product", args=[product.slug, variant.slug])
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": f"{product.title} {variant.label}".strip(),
        "brand": {"@type": "Brand", "name": product.brand.name},
        "category": product.category.display_name,
        "sku": f"{product.slug}/{variant.slug}",
        "url": url,
    }
    if variant.ean:
        data["gtin"] = variant.ean
    line = getattr(offers, "buy_box", None)
    if line is not None:
        data["offers"] = {
            "@type": "Offer",
            "price": str(Money(line.price, line.currency).to_major()),
            "priceCurrency": line.currency,
            "availability": IN_STOCK,
            "itemCondition": REFURBISHED,
            "url": url + (f"?grade={offers.grade}" if offers.grade else ""),
            "seller": {"@type": "Organization", "name": line.seller.name},
        }
    summary = getattr(ratings, "summary", None)
    if summary is not None and summary.review_count and summary.average is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(summary.average),
            "reviewCount": summary.review_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    return data


@register.simple_tag(takes_context=True)
def product_jsonld(context: dict[str, Any]) -> SafeString:
    """``{% product_jsonld %}`` on the product page: a ``<script type="application/ld+json">`` block."""
    request = context["request"]
    data = product_data(
        base=f"{request.scheme}://{request.get_host()}",
        product=context["product"],
        variant=context["variant"],
        offers=context.get("offers"),
        ratings=context.get("ratings"),
    )
    html = json_script(data, None)  # escapes <, >, & so the block cannot end early
    return SafeString(html.replace('type="application/json"', 'type="application/ld+json"', 1))
