"""Software-support horizons (issue 16, item 3): the shipped data matches the catalogue, the rules of the loader,
and what the product page and the cards say."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reloop.catalog import support

CATALOGUE = Path(support.__file__).parent / "data" / "catalogue"


def catalogue_models() -> dict[tuple[str, str], dt.date]:
    found = {}
    for path in CATALOGUE.glob("*.json"):
        for model in json.loads(path.read_text(encoding="utf-8"))["models"]:
            found[(model["brand"].casefold(), model["name"].casefold())] = dt.date.fromisoformat(model["release_date"])
    return found


def test_every_model_in_the_data_is_a_model_of_the_catalogue_and_every_policy_names_its_source():
    models = catalogue_models()
    table = support.table()
    assert len(table.entries) >= 50
    missing = [key for key in table.entries if key not in models]
    assert missing == []
    for entry in table.entries.values():
        assert entry.policy.source
        assert entry.policy.source_url.startswith("https://")
        assert entry.policy.published_on <= table.checked_on


@pytest.mark.parametrize(
    ("brand", "name", "release", "until"),
    [
        ("Google", "Pixel 8", dt.date(2023, 10, 12), dt.date(2030, 10, 1)),  # Google's own date: 7 years
        ("Google", "Pixel 6a", dt.date(2022, 7, 28), dt.date(2027, 7, 1)),
        ("Samsung", "Galaxy S24", dt.date(2024, 1, 31), dt.date(2031, 1, 1)),  # 7 years from release
        ("Samsung", "Galaxy S23", dt.date(2023, 2, 17), dt.date(2028, 2, 1)),  # 5 years
        ("Samsung", "Galaxy S10", dt.date(2019, 3, 8), dt.date(2023, 3, 1)),  # 4 years
        ("Fairphone", "Fairphone 5", dt.date(2023, 9, 14), dt.date(2031, 12, 1)),
        ("Fairphone", "Fairphone 4", dt.date(2021, 10, 25), dt.date(2026, 10, 1)),
    ],
)
def test_a_models_horizon_is_the_manufacturers_date_or_release_plus_the_committed_years(brand, name, release, until):
    horizon = support.horizon(brand=brand, name=name, release_date=release)
    assert horizon.committed
    assert horizon.until == until
    assert horizon.policy is not None
    assert horizon.policy.brand == brand


def test_apple_and_unknown_models_have_no_commitment_said_plainly():
    iphone = support.horizon(brand="Apple", name="iPhone 13", release_date=dt.date(2021, 9, 24))
    assert not iphone.committed
    assert iphone.until_year is None
    assert "no minimum period" in iphone.note
    other = support.horizon(brand="Nothing", name="Phone (2)", release_date=dt.date(2023, 7, 17))
    assert (other.committed, other.note) == (False, "")
    assert not other.at_least(2020)


def test_ended_and_at_least():
    pixel5 = support.horizon(brand="Google", name="Pixel 5", release_date=dt.date(2020, 10, 29))
    assert pixel5.ended(dt.date(2023, 11, 1))
    assert not pixel5.ended(dt.date(2023, 10, 31))
    pixel8 = support.horizon(brand="Google", name="Pixel 8", release_date=dt.date(2023, 10, 12))
    assert pixel8.at_least(2030)
    assert not pixel8.at_least(2031)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"until": "2030-01", "years": 5}, "exactly one"),
        ({}, "exactly one"),
        ({"years": 0}, "from 1 to 15"),
        ({"years": "5"}, "from 1 to 15"),
    ],
)
def test_a_malformed_entry_is_refused_with_its_name(terms, message):
    document = {
        "checked_on": "2026-12-06",
        "policies": [
            {
                "key": "p",
                "brand": "B",
                "source": "s",
                "source_url": "https://x",
                "published_on": "2024-01-01",
                "models": {"Model X": terms},
            }
        ],
    }
    with pytest.raises(ValueError, match=message) as caught:
        support.parse(document)
    assert "Model X" in str(caught.value)


def test_a_model_under_two_policies_is_refused():
    policy = {
        "brand": "B",
        "source": "s",
        "source_url": "https://x",
        "published_on": "2024-01-01",
        "models": {"Model X": {"years": 5}},
    }
    with pytest.raises(ValueError, match="already covered by a"):
        support.parse({"checked_on": "2026-12-06", "policies": [{"key": "a", **policy}, {"key": "b", **policy}]})
