"""Software-support horizon (issue 16, item 3): the last year of security updates a manufacturer commits to.

The data is ``catalog/data/support_horizons.json``: per manufacturer policy, its source (name, address, publication
date) and the models it covers, by brand and model name as in the catalogue. A model's horizon is the policy's own
date (``until``: YYYY-MM) or its release date plus the policy's ``years``. A model under no policy has no
commitment, and the page says so plainly — never a guess from the brand's track record.

Pure: no ORM. It is read once per process (the file ships with the code) and looked up by (brand, model name),
so a page showing it makes no query.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "support_horizons.json"
#: Categories whose devices run an operating system that needs security updates: their pages always say what the
#: manufacturer commits to, or that it commits to nothing. A mouse or a game cartridge says nothing.
UPDATED_CATEGORIES = frozenset({"smartphones", "tablets", "smartwatches", "laptops", "desktops", "consoles"})


@dataclass(frozen=True)
class Policy:
    key: str
    brand: str
    source: str
    source_url: str
    published_on: dt.date


@dataclass(frozen=True)
class Horizon:
    """What a buyer is told about a model's updates. ``until`` is ``None`` when no commitment is published."""

    until: dt.date | None  # the first day of the last month committed
    policy: Policy | None
    checked_on: dt.date
    note: str = ""  # why there is no commitment, where the manufacturer says nothing

    @property
    def committed(self) -> bool:
        return self.until is not None

    @property
    def until_year(self) -> int | None:
        return None if self.until is None else self.until.year

    def ended(self, today: dt.date) -> bool:
        """The committed period is over (the last committed month is behind ``today``'s month)."""
        return self.until is not None and (self.until.year, self.until.month) < (today.year, today.month)

    def at_least(self, year: int) -> bool:
        """Covered until at least ``year`` (the filter "updates until at least 2029")."""
        return self.until is not None and self.until.year >= year


@dataclass(frozen=True)
class Entry:
    policy: Policy
    until: dt.date | None
    years: int | None


@dataclass(frozen=True)
class Table:
    entries: dict[tuple[str, str], Entry]
    no_commitment: dict[str, str]  # brand → what it publishes instead
    checked_on: dt.date


def _month(raw: str) -> dt.date:
    year, month = raw.split("-")
    return dt.date(int(year), int(month), 1)


def parse(document: dict[str, Any]) -> Table:
    """The JSON document as a lookup table; a malformed entry raises ``ValueError`` naming it."""
    entries: dict[tuple[str, str], Entry] = {}
    for raw in document["policies"]:
        policy = Policy(
            key=raw["key"],
            brand=raw["brand"],
            source=raw["source"],
            source_url=raw["source_url"],
            published_on=dt.date.fromisoformat(raw["published_on"]),
        )
        for name, terms in raw["models"].items():
            until = terms.get("until")
            years = terms.get("years")
            if (until is None) == (years is None):
                raise ValueError(f"{policy.key}: {name!r} needs exactly one of 'until' or 'years'")
            if years is not None and not (isinstance(years, int) and 0 < years <= 15):
                raise ValueError(f"{policy.key}: {name!r} years must be a whole number from 1 to 15")
            key = (policy.brand.casefold(), name.casefold())
            if key in entries:
                raise ValueError(f"{policy.key}: {name!r} is already covered by {entries[key].policy.key}")
            entries[key] = Entry(policy=policy, until=_month(until) if until else None, years=years)
    return Table(
        entries=entries,
        no_commitment=dict(document.get("no_commitment", {})),
        checked_on=dt.date.fromisoformat(document["checked_on"]),
    )


@lru_cache(maxsize=1)
def table() -> Table:
    return parse(json.loads(DATA.read_text(encoding="utf-8")))


def _add_years(day: dt.date, years: int) -> dt.date:
    return dt.date(day.year + years, day.month, 1)


def applies(category_slug: str) -> bool:
    return category_slug in UPDATED_CATEGORIES


def horizon(*, brand: str, name: str, release_date: dt.date, data: Table | None = None) -> Horizon:
    """The horizon of the model ``brand`` ``name`` released on ``release_date``."""
    data = data or table()
    entry = data.entries.get((brand.casefold(), name.casefold()))
    if entry is None:
        return Horizon(until=None, policy=None, checked_on=data.checked_on, note=data.no_commitment.get(brand, ""))
    until = entry.until if entry.until is not None else _add_years(release_date, entry.years or 0)
    return Horizon(until=until, policy=entry.policy, checked_on=data.checked_on)
