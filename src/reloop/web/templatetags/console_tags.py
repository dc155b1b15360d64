"""Tags of the console, the seller insights and the impact pages: ``{% chart %}``, ``{% rate %}`` and the page's
language. The console's menu is ``web.console.nav.console_nav`` (a context processor)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django import template
from django.utils.safestring import SafeString

import reloop
from reloop.web import charts

register = template.Library()


@register.simple_tag
def chart(value: Any, csv_url: str = "") -> SafeString:
    """``{% chart c url %}``: a ``web.charts.Chart`` drawn as SVG with its table and CSV link."""
    return charts.render(value, csv_url=csv_url)


@register.simple_tag
def rate(value: Decimal | None) -> str:
    """A fraction as a percentage with one decimal (``0.0325`` → ``3.3 %``); ``—`` when there is none."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'))} %"


@lru_cache(maxsize=32)
def _translated(language: str) -> bool:
    """Reloop's own text exists in ``language`` (English is the source; others need a catalogue)."""
    return language == "en" or (Path(reloop.__file__).parent / "locale" / language / "LC_MESSAGES").is_dir()


@register.simple_tag(takes_context=True)
def page_language(context: dict[str, Any]) -> str:
    """The BCP 47 language of the page's text for ``<html lang>``: the market's language and country when Reloop
    is translated into it (``fr-BE``), else English, which is what a reader of an untranslated market sees."""
    market = context.get("market")
    if market is None:
        return "en"
    return f"{market.language}-{market.country}" if _translated(market.language) else "en"
