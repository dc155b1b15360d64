"""Manufacturer names per language (catalog/data/localized_names.json): every entry names something the catalogue
holds, in the four languages the brief asks for, and the lookup follows the active language."""

from __future__ import annotations

import pytest
from django.utils import translation

from reloop.catalog.dataset import parse_dataset
from reloop.catalog.names import _table, colour_name, model_name, other_names

LANGUAGES = {"fr", "de", "es", "it"}


@pytest.fixture(scope="module")
def dataset():
    return parse_dataset()


def test_every_translated_colour_and_title_is_in_the_catalogue(dataset):
    colours = {v.colour for m in dataset.models for v in m.variants}
    names = {m.name for m in dataset.models}
    assert set(_table()["colours"]) <= colours  # a typo in a key would translate nothing
    assert set(_table()["titles"]) <= names


def test_colours_are_given_in_every_language_and_titles_only_where_they_differ():
    for english, names in _table()["colours"].items():
        assert set(names) == LANGUAGES, english
    for english, names in _table()["titles"].items():
        assert names, english
        assert all(name != english for name in names.values()), english  # no entry for an unchanged title


@pytest.mark.parametrize(
    ("language", "midnight", "starlight"),
    [
        ("fr-fr", "Minuit", "Lumière stellaire"),
        ("fr-be", "Minuit", "Lumière stellaire"),
        ("de-de", "Mitternacht", "Polarstern"),
        ("es-es", "Medianoche", "Blanco estrella"),
        ("it-it", "Mezzanotte", "Galassia"),
        ("en-gb", "Midnight", "Starlight"),
        ("nl-nl", "Midnight", "Starlight"),  # no Dutch in the table: the English name, as the maker's
    ],
)
def test_apple_colour_names_follow_the_active_language(language, midnight, starlight):
    with translation.override(language):
        assert (colour_name("Midnight"), colour_name("Starlight")) == (midnight, starlight)


def test_unknown_names_and_titles_stay_as_they_are():
    assert colour_name("Phantom Black", "fr-fr") == "Phantom Black"
    assert colour_name("", "fr-fr") == ""
    assert model_name("Mario Kart 8 Deluxe", "fr-fr") == "Mario Kart 8 Deluxe"
    assert model_name("Pokémon Scarlet", "fr-fr") == "Pokémon Écarlate"
    assert model_name("Pokémon Scarlet", "de-de") == "Pokémon Karmesin"
    assert "Pokémon Écarlate" in other_names("titles", "Pokémon Scarlet")
