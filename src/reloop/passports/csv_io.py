"""The unit CSV (docs/unit-passports.md): one line per unit, naming the offer by its SKU.

Columns (header required, any order; comma, semicolon or tab; UTF-8 with or without BOM, as the offer CSV):

``sku, unit, battery_health, battery_cycles, parts, tests_passed, tests_failed, erasure_method,
erasure_certificate, carrier_unlocked, activation_lock_off, mdm_free``

``unit`` is the IMEI or serial. ``parts`` lists ``part:provenance`` pairs separated by ``;`` or ``|``
(``screen:original; battery:certified``); ``tests_passed`` and ``tests_failed`` list test names the same way. Empty
cells mean "not recorded" (nothing is claimed). ``import_units`` validates every line first and writes nothing
unless the whole file is right; importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from reloop.offers.csv_io import FileRefused, LineError, decode, sniff_delimiter
from reloop.offers.models import Offer
from reloop.passports.errors import InvalidUnitPassport
from reloop.passports.services import AttachReport, UnitInput, attach_units, check_units
from reloop.sellers.models import Seller

COLUMNS = (
    "sku",
    "unit",
    "battery_health",
    "battery_cycles",
    "parts",
    "tests_passed",
    "tests_failed",
    "erasure_method",
    "erasure_certificate",
    "carrier_unlocked",
    "activation_lock_off",
    "mdm_free",
)
REQUIRED = ("sku", "unit")
MAX_LINES = 5_000
MAX_BYTES = 2_000_000
_LIST = re.compile(r"[;|]")


@dataclass
class UnitImport:
    lines: int = 0
    errors: list[LineError] = field(default_factory=list)
    report: AttachReport = field(default_factory=AttachReport)
    offers: int = 0


def _items(cell: str) -> list[str]:
    return [item.strip() for item in _LIST.split(cell or "") if item.strip()]


def _facts(row: dict[str, str]) -> dict[str, Any]:
    parts = []
    for item in _items(row.get("parts", "")):
        part, _sep, provenance = item.partition(":")
        parts.append({"part": part.strip().lower(), "provenance": provenance.strip().lower()})
    tests = [{"test": t.lower(), "passed": True} for t in _items(row.get("tests_passed", ""))]
    tests += [{"test": t.lower(), "passed": False} for t in _items(row.get("tests_failed", ""))]
    return {
        "battery_health": row.get("battery_health", "").strip(),
        "battery_cycles": row.get("battery_cycles", "").strip(),
        "parts": parts,
        "tests": tests,
        "erasure_method": row.get("erasure_method", "").strip().lower(),
        "erasure_certificate": row.get("erasure_certificate", "").strip(),
        "carrier_unlocked": row.get("carrier_unlocked", "").strip(),
        "activation_lock_off": row.get("activation_lock_off", "").strip(),
        "mdm_free": row.get("mdm_free", "").strip(),
    }


def _read(data: bytes) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(max)s MB: split it") % {"max": MAX_BYTES // 1_000_000}, code="file_too_large"
        )
    text, _bom = decode(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first), strict=False)
    rows = list(reader)
    if not rows:
        raise FileRefused(_("The file is empty: it needs a header line"), code="empty_file")
    header = [c.strip().lower() for c in rows[0]]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise FileRefused(
            _("Unknown column %(column)s: the columns are %(columns)s")
            % {"column": unknown[0], "columns": ", ".join(COLUMNS)},
            code="unknown_column",
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileRefused(_("The column %(column)s is required") % {"column": missing[0]}, code="missing_column")
    records = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        records.append((number, dict(zip(header, cells, strict=False))))
    if len(records) > MAX_LINES:
        raise FileRefused(_("At most %(max)s units per file: split it") % {"max": MAX_LINES}, code="too_many_lines")
    return records


def import_units(*, seller: Seller, data: bytes) -> UnitImport:
    """Check every line of a unit CSV of ``seller``'s and, when all are right, list the units (one transaction).

    Lines name ``seller``'s offers by SKU; another seller's SKU is unknown. With any error, nothing is written and
    ``errors`` says what to fix, line by line."""
    records = _read(data)
    result = UnitImport(lines=len(records))
    skus = {row.get("sku", "").strip() for _n, row in records}
    offers = {
        o.sku.lower(): o
        for o in Offer.objects.filter(seller=seller, sku__in=sorted(skus)).select_related(
            "variant__product_model__category__parent__parent"
        )
    }
    by_offer: dict[int, list[tuple[int, UnitInput]]] = defaultdict(list)
    for number, row in records:
        sku = row.get("sku", "").strip()
        offer = offers.get(sku.lower())
        if offer is None:
            result.errors.append(
                LineError(number, "sku", sku, "unknown_sku", _("You have no offer with SKU %(sku)s") % {"sku": sku})
            )
            continue
        by_offer[offer.pk].append((number, UnitInput(row.get("unit", ""), _facts(row))))
    by_pk = {o.pk: o for o in offers.values()}
    for offer_id, numbered in by_offer.items():
        offer = by_pk[offer_id]
        remaining = list(numbered)
        while remaining:  # report every bad line, not only the first one of each offer
            try:
                check_units(offer=offer, units=[u for _n, u in remaining])
                break
            except InvalidUnitPassport as exc:
                index = exc.index if exc.index is not None else 0
                number, unit = remaining[index]
                column = "unit" if exc.field in ("identifier", "") else exc.field
                result.errors.append(LineError(number, column, unit.identifier, exc.code, exc.message))
                del remaining[index]
    result.errors.sort(key=lambda e: (e.line, e.column))
    if result.errors:
        return result
    result.offers = len(by_offer)
    with transaction.atomic():
        for offer_id, numbered in sorted(by_offer.items()):
            report = attach_units(seller=seller, offer_id=offer_id, units=[u for _n, u in numbered])
            result.report.created += report.created
            result.report.updated += report.updated
            result.report.unchanged += report.unchanged
            result.report.moved += report.moved
    return result
