"""Issue 16's strings in French, German, Spanish and Italian: the scorecard, horizon and battery-floor strings
(``quality/locale``) and the honest-listing strings (``pricing/locale``: per-offer CO2e, grade advice, all-in
prices, vs new). Each compiled catalogue matches its source, every source string is translated, and a few render."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation import gettext, ngettext

from reloop.markets.tests.test_translations import _catalog

SRC = Path(__file__).resolve().parents[2]
CATALOGUES = [
    SRC / app / "locale" / lang / "LC_MESSAGES" for app in ("quality", "pricing") for lang in ("fr", "de", "es", "it")
]


@pytest.mark.parametrize("folder", CATALOGUES, ids=lambda p: f"{p.parents[2].name}-{p.parent.name}")
def test_the_compiled_catalogue_matches_its_source_and_translates_everything(folder):
    with (folder / "django.po").open("rb") as f:
        source = read_po(f)
    untranslated = [m.id for m in source if m.id and not (all(m.string) if m.pluralizable else m.string)]
    assert untranslated == []
    assert _catalog(folder / "django.po", read_po) == _catalog(folder / "django.mo", read_mo)


def test_every_language_has_the_same_strings():
    def ids(folder):
        with (folder / "django.po").open("rb") as f:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}

    for app in ("quality", "pricing"):
        french = ids(SRC / app / "locale" / "fr" / "LC_MESSAGES")
        for lang in ("de", "es", "it"):
            assert ids(SRC / app / "locale" / lang / "LC_MESSAGES") >= french, (app, lang)


@pytest.mark.parametrize(
    ("language", "updates", "cheaper", "sales"),
    [
        ("de-de", "Sicherheitsupdates", "Excellent ist gerade günstiger: 396 €", "1 von 3 Verkäufen"),
        ("es-es", "Actualizaciones de seguridad", "Excellent es más barato ahora mismo: 396 €", "1 de 3 ventas"),
        ("it-it", "Aggiornamenti di sicurezza", "Excellent costa meno in questo momento: 396 €", "1 su 3 vendite"),
        ("fr-fr", "Mises à jour de sécurité", "Excellent est moins cher en ce moment : 396 €", "1 sur 3 ventes"),
    ],
)
def test_the_strings_read_in_each_language(language, updates, cheaper, sales):
    with translation.override(language):
        assert gettext("Security updates") == updates
        assert gettext("%(grade)s is cheaper right now: %(price)s") % {"grade": "Excellent", "price": "396 €"} == (
            cheaper
        )
        n = ngettext("%(n)s of %(total)s sale", "%(n)s of %(total)s sales", 3) % {"n": 1, "total": 3}
        assert n == sales
        assert "%(state)s" in gettext("Prices include estimated sales tax and shipping to %(state)s.")
        assert gettext("Prices include VAT.") != "Prices include VAT."
