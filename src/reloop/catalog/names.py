"""Colour names and product names as the manufacturer gives them in the buyer's language.

The catalogue stores the English name (the data files, the URLs, the filters and the search index all key on it);
``data/localized_names.json`` holds what the maker publishes in French, German, Spanish and Italian: Apple's colour
names ("Midnight" is "Minuit", "Starlight" "Lumière stellaire"), plain colour words, and the games whose European
titles differ ("Pokémon Scarlet" is "Pokémon Écarlate"). A name the maker does not translate (most marketing names
of other brands, most game titles) has no entry and stays in English, as on the maker's own site. Why a data table
and not gettext: docs/adr/0040-manufacturer-names-in-a-data-table.md.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language

NAMES_FILE = Path(__file__).resolve().parent / "data" / "localized_names.json"


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, dict[str, str]]]:
    with NAMES_FILE.open(encoding="utf-8") as f:
        data = json.load(f)
    return {"colours": data.get("colours", {}), "titles": data.get("titles", {})}


def _pick(kind: str, english: str, language: str | None) -> str:
    if not english:
        return english
    names = _table()[kind].get(english)
    if not names:
        return english
    language = (language if language is not None else get_language()) or ""
    for key in (language, language.split("-")[0]):  # "fr-be" → "fr"
        if names.get(key):
            return names[key]
    return english


def colour_name(colour: str, language: str | None = None) -> str:
    """``colour`` (the catalogue's English name) in ``language`` (default: the active one)."""
    return _pick("colours", colour, language)


def model_name(name: str, language: str | None = None) -> str:
    """A product model's ``name`` in ``language`` where its maker gives it another one."""
    return _pick("titles", name, language)


def other_names(kind: str, english: str) -> list[str]:
    """Every translation of a colour (``kind="colours"``) or a model name (``"titles"``): words the search index
    adds so that "Minuit" or "Pokémon Écarlate" finds the model."""
    return list(dict.fromkeys(_table()[kind].get(english, {}).values()))


def translated_languages() -> dict[str, set[str]]:
    """For tests and docs: the languages each kind of name is given in."""
    table = _table()
    return {kind: {lang for names in table[kind].values() for lang in names} for kind in table}
