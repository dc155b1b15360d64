"""Impact's invariants, added to ``reloop check_ledger`` (``payments.checks.EXTRA_CHECKS``) in the ledger's spirit:
every figure the impact pages publish is a sum of the order lines' frozen snapshots, and each snapshot's range
contains its point figure (docs/adr/0042-per-offer-co2e-ranges.md)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Q

from reloop.console import selectors
from reloop.payments.checks import CheckResult, _result

ENDS = ("kgco2e", "kgco2e_low", "kgco2e_high")


def _line_sums() -> dict[str, Decimal]:
    """The kept lines' snapshots summed line by line in Python: the reference the published totals must equal."""
    sums = dict.fromkeys(ENDS, Decimal(0))
    for point, low, high, quantity in (
        selectors.kept_lines()
        .values_list("avoided_kgco2e", "avoided_kgco2e_low", "avoided_kgco2e_high", "quantity")
        .iterator(chunk_size=5_000)
    ):
        point = point or Decimal(0)
        sums["kgco2e"] += point * quantity
        sums["kgco2e_low"] += (low if low is not None else point) * quantity
        sums["kgco2e_high"] += (high if high is not None else point) * quantity
    return sums


def _grouped(by: str) -> dict[str, Decimal]:
    """The same sums as the impact pages compute them, grouped per buyer or per seller, then added up."""
    rows = selectors.kept_lines().values(by).annotate(**selectors._kg_sums()).order_by(by)
    return {
        end: sum((selectors._tenth(row[column]) for row in rows), Decimal(0))
        for end, column in zip(ENDS, ("kg", "kg_low", "kg_high"), strict=True)
    }


def _differences(label: str, published: dict[str, Decimal], reference: dict[str, Decimal]) -> list[str]:
    return [
        f"{label} {end} {published[end]} ≠ {reference[end]} from the lines"
        for end in ENDS
        if published[end] != reference[end]
    ]


def impact_checks() -> list[CheckResult]:
    """Two checks: each line's range contains its point (one query when it holds), and the platform, buyer and
    seller totals equal the sum of the line snapshots (four queries)."""
    outside = (
        selectors.kept_lines()
        .filter(
            Q(avoided_kgco2e_low__gt=F("avoided_kgco2e"))
            | Q(avoided_kgco2e_high__lt=F("avoided_kgco2e"))
            | Q(avoided_kgco2e_low__lt=0)
            | Q(avoided_kgco2e__isnull=True, avoided_kgco2e_low__isnull=False)
            | Q(avoided_kgco2e_low__isnull=True, avoided_kgco2e_high__isnull=False)
            | Q(avoided_kgco2e_low__isnull=False, avoided_kgco2e_high__isnull=True)
        )
        .values("id", "avoided_kgco2e", "avoided_kgco2e_low", "avoided_kgco2e_high")
        .order_by("id")
    )
    reference = {end: value.quantize(Decimal("0.1")) for end, value in _line_sums().items()}
    rows = selectors.impact_rows()
    platform = {end: sum((getattr(r, end) for r in rows), Decimal(0)) for end in ENDS}
    mismatches = [
        *_differences("platform (per market, category and month)", platform, reference),
        *_differences("buyers", _grouped("seller_order__order__buyer"), reference),
        *_differences("sellers", _grouped("seller_order__seller"), reference),
    ]
    return [
        _result(
            "each order line's avoided CO2e range contains its point figure",
            outside,
            lambda row: (
                f"line {row['id']} ({row['avoided_kgco2e_low']} ≤ {row['avoided_kgco2e']} ≤ "
                f"{row['avoided_kgco2e_high']})"
            ),
        ),
        CheckResult(
            name="platform, buyer and seller avoided-CO2e totals equal the sum of the kept order lines' snapshots",
            count=len(mismatches),
            offenders=tuple(mismatches),
        ),
    ]
