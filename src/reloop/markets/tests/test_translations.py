"""Translations ship compiled: every .mo matches its .po, and the French storefront is complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / "django.po").exists())


def _plain(value):
    return value if isinstance(value, str) else tuple(value)


def _key(context, msgid):
    """Babel reads a .mo's "context\x04id" as an id without context: split it like a .po entry."""
    first = msgid if isinstance(msgid, str) else msgid[0]
    if context is None and "\x04" in first:
        context, first = first.split("\x04", 1)
        msgid = first if isinstance(msgid, str) else (first, *msgid[1:])
    if isinstance(context, bytes):
        context = context.decode()
    return context, msgid


def _catalog(path: Path, reader):
    """msgid -> translation, with plural forms as tuples and untranslated entries left out."""
    with path.open("rb") as f:
        entries = {_key(m.context, _plain(m.id)): _plain(m.string) for m in reader(f) if m.id}
    return {k: v for k, v in entries.items() if v and all(v if isinstance(v, tuple) else [v])}


def test_interface_languages_include_the_required_ones():
    assert {"fr", "de", "es", "it"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po = _catalog(folder / "django.po", read_po)
    mo = _catalog(folder / "django.mo", read_mo)
    assert po == mo, f"run `make messages` to recompile {language}"


def test_french_is_complete():
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po").open("rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert (missing, fuzzy) == ([], [])
