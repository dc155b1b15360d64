"""The passport's words in French, German, Spanish and Italian (passports/locale), compiled as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils import translation

from reloop.catalog.grading import BASELINE_PROMISES
from reloop.passports.domain import check_passport, summarize, unit_phrases
from reloop.passports.tests.factories import FULL

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("lang", ["fr", "de", "es", "it"])
def test_every_entry_is_translated_and_the_mo_matches_the_po(lang):
    with (LOCALE / lang / "LC_MESSAGES" / "django.po").open("rb") as po_file:
        po = read_po(po_file)
    with (LOCALE / lang / "LC_MESSAGES" / "django.mo").open("rb") as mo_file:
        mo = read_mo(mo_file)

    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    entries = {plain(m.id): plain(m.string) for m in po if m.id}
    assert len(entries) >= 130
    assert all(entries.values()), [k for k, v in entries.items() if not v]
    assert {plain(m.id): plain(m.string) for m in mo if m.id} == entries


@pytest.mark.parametrize(
    ("lang", "summary", "promise"),
    [
        (
            "fr",
            "batterie 91–96 %; 100–110 cycles; écran remplacé(e) par une pièce d'origine",
            "Chaque vendeur s'engage",
        ),
        ("de", "Akku 91–96 %; 100–110 Zyklen; Display ersetzt durch ein Originalteil", "Jeder Verkäufer verpflichtet"),
        ("es", "batería 91–96 %; 100–110 ciclos; pantalla sustituido/a por una pieza original", "Cada vendedor"),
        ("it", "batteria 91–96 %; 100–110 cicli; schermo sostituito/a con un ricambio originale", "Ogni venditore"),
    ],
)
def test_a_passport_reads_in_the_market_s_language(lang, summary, promise):
    units = [
        check_passport({**FULL, "battery_health": 91, "battery_cycles": 100}),
        check_passport({**FULL, "battery_health": 96, "battery_cycles": 110}),
    ]
    with translation.override(lang):
        line = summarize(units).line
        assert line.startswith(summary)
        assert str(BASELINE_PROMISES[1]).startswith(promise)
        assert unit_phrases(units[0])[0] != "battery 91 %"
