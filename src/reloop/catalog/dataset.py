"""Reading and checking the catalogue dataset shipped in ``catalog/data`` (pure Python, no database).

The dataset holds real device models with their storage and colour options, release dates and manufacturer launch
prices with their source. ``parse_dataset`` turns it into plain rows and refuses anything inconsistent, naming the
file and model, so a bad edit never half-loads.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.utils.text import slugify

from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.markets.data import MARKETS, Market

DATA_DIR = Path(__file__).resolve().parent / "data"
AXES = ("keyboard_layout", "edition", "case_size", "connectivity", "ram_gb", "platform")


class DatasetError(InvalidInput):
    code = "invalid_dataset"


@dataclass(frozen=True)
class CategoryRow:
    slug: str
    name: str
    names: dict[str, str]
    parent: str | None
    position: int
    battery_min_health: int | None
    unit_identification: str = ""  # "" inherits from the parent (catalog.models.UnitIdentification)


@dataclass(frozen=True)
class PriceRow:
    market: str
    amount: int
    currency: str
    source: str
    source_url: str
    observed_on: dt.date


@dataclass(frozen=True)
class VariantRow:
    slug: str
    storage_gb: int | None
    colour: str
    options: dict[str, str]
    prices: list[PriceRow]


@dataclass(frozen=True)
class ModelRow:
    category: str
    brand: str
    name: str
    slug: str
    release_date: dt.date
    specs: dict[str, Any]
    variants: list[VariantRow] = field(default_factory=list)


@dataclass(frozen=True)
class Dataset:
    categories: list[CategoryRow]
    models: list[ModelRow]

    @property
    def brands(self) -> list[str]:
        return sorted({m.brand for m in self.models})


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path.name}: cannot read JSON ({exc})") from exc


def full_title(brand: str, name: str) -> str:
    """ "Apple iPhone 13", but "Fairphone 4" and "Apple Watch Series 9", whose names already say the brand."""
    return name if name.lower().startswith(brand.lower()) else f"{brand} {name}"


def model_slug(brand: str, name: str) -> str:
    return slugify(full_title(brand, name).replace("+", " plus "))


def variant_slug(storage_gb: int | None, colour: str, options: dict[str, str]) -> str:
    parts = [f"{storage_gb}gb" if storage_gb else "", colour, *options.values()]
    if not any(parts):
        return "standard"  # a game in one edition on one platform: nothing to choose
    return slugify(" ".join(p for p in parts if p).replace("+", " plus ").replace("(", "").replace(")", ""))


def parse_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    categories = _parse_categories(_load_json(data_dir / "categories.json"))
    known = {c.slug for c in categories}
    rates = _load_json(data_dir / "exchange_rates.json")
    models: list[ModelRow] = []
    seen: set[str] = set()
    for path in sorted((data_dir / "catalogue").glob("*.json")):
        data = _load_json(path)
        category = data.get("category")
        if category not in known:
            raise DatasetError(f"{path.name}: unknown category {category!r}")
        for raw in data.get("models", []):
            row = _parse_model(
                raw, category=category, rates=rates, where=path.name, colour_free=bool(data.get("colour_free"))
            )
            if row.slug in seen:
                raise DatasetError(f"{path.name}: {row.brand} {row.name} appears twice in the dataset")
            seen.add(row.slug)
            models.append(row)
    if not models:
        raise DatasetError(f"{data_dir}: no product models found")
    return Dataset(categories, models)


def _parse_categories(data: Any) -> list[CategoryRow]:
    rows = []
    for position, raw in enumerate(data["categories"]):
        rows.append(
            CategoryRow(
                slug=raw["slug"],
                name=raw["name"],
                names=raw.get("names", {}),
                parent=raw.get("parent"),
                position=position,
                battery_min_health=raw.get("battery_min_health"),
                unit_identification=raw.get("unit_identification", ""),
            )
        )
    slugs = {r.slug for r in rows}
    for r in rows:
        if r.unit_identification not in ("", "imei", "serial", "none"):
            raise DatasetError(
                f"categories.json: {r.slug} has unit_identification {r.unit_identification!r}: use imei, serial or none"
            )
    for r in rows:
        if r.parent and r.parent not in slugs:
            raise DatasetError(f"categories.json: {r.slug} has unknown parent {r.parent!r}")
    return rows


def _parse_date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DatasetError(f"{where}: {value!r} is not a YYYY-MM-DD date") from None


def _parse_model(
    raw: dict[str, Any], *, category: str, rates: dict[str, Any], where: str, colour_free: bool = False
) -> ModelRow:
    """One model and its variants. ``colour_free`` files (video games) have no colours: one colourless variant
    per storage × option combination."""
    brand, name = raw.get("brand"), raw.get("name")
    if not brand or not name:
        raise DatasetError(f"{where}: a model lacks its brand or name: {raw!r:.80}")
    where = f"{where}: {brand} {name}"
    colours = raw.get("colours") or []
    if colour_free:
        if colours:
            raise DatasetError(f"{where}: this category has no colours")
        colours = [""]
    elif not colours:
        raise DatasetError(f"{where}: at least one colour is required")
    storages: list[int | None] = [int(s) for s in raw.get("storage_gb") or []] or [None]
    options: dict[str, list[str]] = {k: [str(v) for v in vs] for k, vs in (raw.get("options") or {}).items()}
    unknown_axes = set(options) - set(AXES)
    if unknown_axes:
        raise DatasetError(f"{where}: unknown option axes {sorted(unknown_axes)}")
    price_date = _parse_date(raw.get("price_date"), where)
    prices_in = raw.get("prices") or {}
    if not prices_in:
        raise DatasetError(f"{where}: no launch price")
    surcharges = raw.get("option_surcharges") or {}
    for axis, values in surcharges.items():
        for value in values:
            if value not in options.get(axis, []):
                raise DatasetError(f"{where}: surcharge for {axis}={value!r}, which is not an option")

    variants = []
    for storage, colour, *chosen in itertools.product(storages, colours, *options.values()):
        opts = dict(zip(options, chosen, strict=True))
        prices = list(
            _variant_prices(
                storage=storage,
                options=opts,
                prices=prices_in,
                surcharges=surcharges,
                rates=rates,
                source=raw.get("price_source") or "",
                source_url=raw.get("price_source_url") or "",
                observed_on=price_date,
                where=where,
            )
        )
        variants.append(VariantRow(variant_slug(storage, colour, opts), storage, colour, opts, prices))
    return ModelRow(
        category=category,
        brand=brand,
        name=name,
        slug=model_slug(brand, name),
        release_date=_parse_date(raw.get("release_date"), where),
        specs=_plain(raw.get("specs") or {}),
        variants=variants,
    )


def _plain(specs: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe specs: Decimals from the parser become ints or floats for display only (never money)."""
    return {
        k: (int(v) if v == v.to_integral_value() else float(v)) if isinstance(v, Decimal) else v
        for k, v in specs.items()
    }


def _launch_price(
    prices: dict[str, Any], surcharges: dict[str, Any], currency: str, storage: int | None, options: dict[str, str]
) -> Decimal | None:
    table = prices.get(currency)
    if not table:
        return None
    base = table.get(str(storage) if storage else "*")
    if base is None:
        return None
    total = Decimal(base)
    for axis, value in options.items():
        extra = surcharges.get(axis, {}).get(value)
        if extra is not None:
            if currency not in extra:
                return None  # a surcharge unknown in this currency: the total would be wrong
            total += Decimal(extra[currency])
    return total


def _variant_prices(
    *,
    storage: int | None,
    options: dict[str, str],
    prices: dict[str, Any],
    surcharges: dict[str, Any],
    rates: dict[str, Any],
    source: str,
    source_url: str,
    observed_on: dt.date,
    where: str,
) -> Iterator[PriceRow]:
    for market in MARKETS:
        row = _market_price(market, storage, options, prices, surcharges, rates, source, source_url, observed_on)
        if row is not None:
            if row.amount <= 0:
                raise DatasetError(f"{where}: price in {market.currency} must be positive")
            yield row


def _market_price(
    market: Market,
    storage: int | None,
    options: dict[str, str],
    prices: dict[str, Any],
    surcharges: dict[str, Any],
    rates: dict[str, Any],
    source: str,
    source_url: str,
    observed_on: dt.date,
) -> PriceRow | None:
    own = _launch_price(prices, surcharges, market.currency, storage, options)
    if own is not None:
        label = source if market.currency != "EUR" else f"{source} (euro-area price)"
        money = Money.from_major(own, market.currency, rounding=ROUND_HALF_UP)
        return PriceRow(market.code, money.amount, market.currency, label, source_url, observed_on)
    for base in CONVERSION_BASES:
        if base == market.currency:
            continue
        launch = _launch_price(prices, surcharges, base, storage, options)
        rate = _cross_rate(rates, base, market.currency)
        if launch is None or rate is None:
            continue
        # Launch prices include the source market's VAT (none in the US); take it out, convert, and add the
        # target market's, so a pre-tax US price never poses as a VAT-inclusive European one.
        source_vat = BASE_VAT[base]
        target_vat = market.vat_rate if market.prices_include_tax else Decimal(0)
        net = launch / (1 + source_vat / 100)
        converted = (net * rate * (1 + target_vat / 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        money = Money.from_major(converted, market.currency)
        label = (
            f"{launch} {base} launch price ({source}) converted to {market.currency} at "
            f"{rate.quantize(Decimal('0.0001'))} ({rates['source']}), "
            f"{source_vat}% {base} tax replaced by {target_vat}% local tax"
        )
        return PriceRow(market.code, money.amount, market.currency, label[:400], rates["source_url"], observed_on)
    return None


#: Which launch price a missing currency is converted from, in order of preference.
CONVERSION_BASES = ("EUR", "USD", "GBP")
#: Tax included in the launch prices of each base currency: euro prices are French RRPs (20% VAT), UK prices
#: include 20% VAT, US prices are quoted before sales tax.
BASE_VAT = {"EUR": Decimal(20), "GBP": Decimal(20), "USD": Decimal(0)}


def _cross_rate(rates: dict[str, Any], base: str, target: str) -> Decimal | None:
    """Units of ``target`` per unit of ``base`` through the euro reference rates."""
    table = {"EUR": Decimal(1), **{k: Decimal(v) for k, v in rates["rates"].items()}}
    if base not in table or target not in table:
        return None
    return table[target] / table[base]
