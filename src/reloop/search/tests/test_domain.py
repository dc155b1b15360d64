"""Pure query rules: normalization, storage sizes, synonyms, typos, joins and splits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.search.domain import (
    apply_synonyms,
    edit_distance,
    nearest,
    normalize,
    parse_query,
    rewrite,
    without_storage,
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("iPhone13", ["iphone", "13"]),
        ("Galaxy S21+ 5G", ["galaxy", "s", "21", "plus", "5", "g"]),
        ("Écouteurs", ["ecouteurs"]),
        ("Kopfhörer", ["kopfhorer"]),
        ("fēnix 7", ["fenix", "7"]),
        ("WH-1000XM4", ["wh", "1000", "xm", "4"]),
        ("  ", []),
    ],
)
def test_normalize_folds_case_accents_and_splits_letters_from_digits(text, words):
    assert normalize(text) == words


@pytest.mark.parametrize(
    ("query", "words", "storage"),
    [
        ("iphone 13 256", ("iphone", "13"), (256,)),
        ("iPhone 14 Pro 512GB", ("iphone", "14", "pro"), (512,)),
        ("galaxy s22 128 go", ("galaxy", "s", "22"), (128,)),
        ("macbook pro 16 1tb", ("macbook", "pro", "16"), (1000,)),
        ("xiaomi 13t", ("xiaomi", "13", "t"), ()),  # the T of 13T is not terabytes
        ("galaxy s21 5g", ("galaxy", "s", "21", "5", "g"), ()),  # 5G is not five gigabytes
        ("256", ("256",), ()),  # a lone number is a search, not a filter
        ("iphone 13", ("iphone", "13"), ()),
    ],
)
def test_storage_sizes_become_a_filter(query, words, storage):
    parsed = parse_query(query)
    assert parsed.words == words
    assert parsed.storage_gb == storage


def test_without_storage_keeps_the_rest_as_typed():
    assert without_storage("iPhone 13 256 GB") == "iPhone 13"
    assert without_storage("iphone 13 256") == "iphone 13"
    assert without_storage("Xiaomi 13T") == "Xiaomi 13T"


def test_synonyms_replace_the_longest_run_first():
    synonyms = {("ps",): ("playstation",), ("mac", "book"): ("macbook",)}
    assert apply_synonyms(["ps", "5"], synonyms) == ["playstation", "5"]
    assert apply_synonyms(["mac", "book", "air"], synonyms) == ["macbook", "air"]
    assert apply_synonyms(["iphone"], synonyms) == ["iphone"]


def test_edit_distance_counts_a_transposition_once():
    assert edit_distance("iphnoe", "iphone") == 1
    assert edit_distance("ipone", "iphone") == 1
    assert edit_distance("galxy", "galaxy") == 1
    assert edit_distance("abc", "xyz") == 3


@given(st.text(alphabet="abcdefg", max_size=8), st.text(alphabet="abcdefg", max_size=8))
def test_edit_distance_is_symmetric_and_zero_only_for_equal_words(a, b):
    assert edit_distance(a, b, limit=20) == edit_distance(b, a, limit=20)
    assert (edit_distance(a, b, limit=20) == 0) == (a == b)


def test_nearest_corrects_within_the_allowed_typos_only():
    vocabulary = ["iphone", "ipad", "galaxy", "pixel"]
    assert nearest("ipone", vocabulary) == "iphone"
    assert nearest("galxy", vocabulary) == "galaxy"
    assert nearest("ps", vocabulary) is None  # short words are never corrected
    assert nearest("banana", vocabulary) is None


def test_rewrite_joins_splits_and_corrects():
    known = {"airpods", "pro", "galaxy", "buds", "iphone"}
    joined = rewrite(["air", "pods", "pro"], known=known, open_ended=False, prefixes=set(), corrections={})
    assert joined.words == ("airpods", "pro")
    split = rewrite(["galaxybuds"], known=known, open_ended=False, prefixes=set(), corrections={})
    assert split.words == ("galaxy", "buds")
    fixed = rewrite(["ipone"], known=known, open_ended=False, prefixes=set(), corrections={"ipone": "iphone"})
    assert fixed.words == ("iphone",)
    assert fixed.corrected
    unknown = rewrite(["zzzz"], known=known, open_ended=False, prefixes=set(), corrections={})
    assert unknown.unknown == ("zzzz",)
