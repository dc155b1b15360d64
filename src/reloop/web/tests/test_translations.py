"""The web shell's own catalogue (src/reloop/web/locale): each compiled .mo matches its .po, nothing is left
untranslated, and its strings come out translated on a page (the header's cart count)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ["de", "es", "fr", "it"]


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request to /fr-fr/ leaves French active in this thread: later tests' reverse() must not inherit it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _entries(path: Path, reader) -> dict[object, object]:
    with path.open("rb") as f:
        return {_hashable(m.id): _hashable(m.string) for m in reader(f) if m.id}


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_every_interface_language_has_a_catalogue():
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / "django.po").exists()) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source_and_is_complete(language):
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    source = _entries(folder / "django.po", read_po)
    assert source == _entries(folder / "django.mo", read_mo), f"msgfmt -o {folder}/django.mo {folder}/django.po"
    assert all(all(s if isinstance(s, tuple) else (s,)) for s in source.values())


@pytest.mark.django_db
@pytest.mark.parametrize(("market", "words"), [("fr-fr", "(2 articles)"), ("de-de", "(2 Artikel)")])
def test_the_cart_count_is_read_out_in_the_markets_language(client, market, words):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=5, market=market, currency="EUR")
    with translation.override(market):
        client.post(reverse("web:cart_add"), {"offer": offer.pk, "quantity": 2})
    assert words in client.get(f"/{market}/").content.decode()
