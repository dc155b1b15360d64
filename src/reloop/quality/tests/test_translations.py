"""The French catalogue of the seller scorecard, the support horizon and the battery-floor claim ships compiled."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation import gettext, ngettext

from reloop.markets.tests.test_translations import _catalog

FOLDER = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def test_the_compiled_catalogue_matches_its_source():
    assert _catalog(FOLDER / "django.po", read_po) == _catalog(FOLDER / "django.mo", read_mo)


def test_the_scorecard_horizon_and_battery_claim_read_in_french():
    with translation.override("fr-fr"):
        assert gettext("Security updates") == "Mises à jour de sécurité"
        assert gettext("Battery below the guaranteed floor") == "Batterie sous le seuil garanti"
        sales = ngettext("%(n)s of %(total)s sale", "%(n)s of %(total)s sales", 3) % {"n": 1, "total": 3}
        assert sales == "1 sur 3 ventes"
