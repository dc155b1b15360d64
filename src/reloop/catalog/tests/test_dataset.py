"""The shipped catalogue dataset: real, large enough, consistent, and priced in every market."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reloop.catalog.dataset import DATA_DIR, DatasetError, parse_dataset
from reloop.markets.data import MARKETS


@pytest.fixture(scope="module")
def dataset():
    return parse_dataset()


def test_dataset_has_at_least_150_models_in_at_least_6_leaf_categories(dataset):
    assert len(dataset.models) >= 150
    assert len({m.category for m in dataset.models}) >= 6


def test_dataset_covers_the_major_brands(dataset):
    assert {"Apple", "Samsung", "Google", "Xiaomi", "Fairphone", "Lenovo", "Dell", "Sony", "Nintendo"} <= set(
        dataset.brands
    )


def test_every_variant_has_a_reference_price_in_every_market_currency(dataset):
    for model in dataset.models:
        for variant in model.variants:
            markets = {p.market: p for p in variant.prices}
            assert set(markets) == {m.code for m in MARKETS}, f"{model.slug} {variant.slug}"
            for market in MARKETS:
                price = markets[market.code]
                assert price.currency == market.currency
                assert price.amount > 0
                assert price.source, f"{model.slug}: price without a source"
                assert price.observed_on.year >= 2010


def test_converted_prices_say_they_are_converted(dataset):
    switch = next(m for m in dataset.models if m.slug == "nintendo-switch-oled-model")
    fr_price = next(p for p in switch.variants[0].prices if p.market == "fr-fr")
    assert "converted to EUR" in fr_price.source
    assert "ECB" in fr_price.source


def test_own_currency_prices_are_taken_as_published(dataset):
    iphone = next(m for m in dataset.models if m.slug == "apple-iphone-13")
    v128 = next(v for v in iphone.variants if v.storage_gb == 128)
    us = next(p for p in v128.prices if p.market == "en-us")
    assert (us.amount, us.currency) == (79900, "USD")
    assert "converted" not in us.source


def test_variant_slugs_are_unique_within_a_model(dataset):
    for model in dataset.models:
        slugs = [v.slug for v in model.variants]
        assert len(slugs) == len(set(slugs)), model.slug


def _write(tmp_path: Path, models: list[dict]) -> Path:
    (tmp_path / "catalogue").mkdir()
    for name in ("categories.json", "exchange_rates.json"):
        (tmp_path / name).write_text((DATA_DIR / name).read_text())
    (tmp_path / "catalogue" / "phones.json").write_text(json.dumps({"category": "smartphones", "models": models}))
    return tmp_path


GOOD = {
    "brand": "Acme",
    "name": "One",
    "release_date": "2022-01-01",
    "storage_gb": [64],
    "colours": ["Black"],
    "prices": {"EUR": {"64": 300}},
    "price_source": "Acme",
    "price_date": "2022-01-01",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colours": []}, "Acme One: at least one colour is required"),
        ({"options": {"wheels": ["4"]}}, "Acme One: unknown option axes ['wheels']"),
        ({"release_date": "2022-13-01"}, "Acme One: '2022-13-01' is not a YYYY-MM-DD date"),
        ({"prices": {}}, "Acme One: no launch price"),
        ({"option_surcharges": {"ram_gb": {"16": {"EUR": 100}}}}, "surcharge for ram_gb='16', which is not an option"),
    ],
)
def test_a_bad_model_is_refused_with_its_name_and_what_is_wrong(tmp_path, change, message):
    data_dir = _write(tmp_path, [{**GOOD, **change}])
    with pytest.raises(DatasetError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_dataset(data_dir)


def test_a_model_listed_twice_is_refused(tmp_path):
    with pytest.raises(DatasetError, match="appears twice"):
        parse_dataset(_write(tmp_path, [GOOD, GOOD]))
