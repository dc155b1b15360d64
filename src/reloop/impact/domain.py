"""The avoided-emissions calculator: pure arithmetic on published figures, no database.

Avoided ≈ new life-cycle footprint × share from manufacturing − footprint of refurbishing (DESIGN.md section 2,
"Impact"). Buying refurbished avoids making a new device, not using one, so only the manufacturing share counts;
the refurbishing work (testing, parts, packaging, transport) is subtracted. Never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Footprint:
    """The inputs of one estimate, and whether they are the model's own figures or the category's."""

    new_kgco2e: Decimal
    manufacturing_share: Decimal
    refurbishing_kgco2e: Decimal
    basis: str  # "model" or "category"


@dataclass(frozen=True, slots=True)
class ImpactEstimate:
    avoided_kgco2e: Decimal
    new_kgco2e: Decimal
    footprint: Footprint

    @property
    def avoided_percent(self) -> int:
        """Share of a new device's life-cycle footprint avoided, in whole percent (half-up)."""
        ratio = self.avoided_kgco2e / self.new_kgco2e * 100
        return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def avoided_kgco2e(*, new_kgco2e: Decimal, manufacturing_share: Decimal, refurbishing_kgco2e: Decimal) -> Decimal:
    if new_kgco2e <= 0:
        raise ValueError("new_kgco2e must be positive")
    if not Decimal(0) <= manufacturing_share <= Decimal(1):
        raise ValueError("manufacturing_share must be between 0 and 1")
    if refurbishing_kgco2e < 0:
        raise ValueError("refurbishing_kgco2e cannot be negative")
    avoided = new_kgco2e * manufacturing_share - refurbishing_kgco2e
    return max(Decimal(0), avoided).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def estimate(footprint: Footprint, *, units: int = 1) -> ImpactEstimate:
    """Avoided emissions of buying ``units`` refurbished devices instead of new ones."""
    if units < 1:
        raise ValueError("units must be at least 1")
    per_unit = avoided_kgco2e(
        new_kgco2e=footprint.new_kgco2e,
        manufacturing_share=footprint.manufacturing_share,
        refurbishing_kgco2e=footprint.refurbishing_kgco2e,
    )
    return ImpactEstimate(avoided_kgco2e=per_unit * units, new_kgco2e=footprint.new_kgco2e * units, footprint=footprint)


def choose_footprint(
    *,
    model_total: Decimal | None,
    model_share: Decimal | None,
    category_new: Decimal | None,
    category_share: Decimal | None,
    category_refurbishing: Decimal | None,
) -> Footprint | None:
    """The model's own published figure when there is one, else the category's; ``None`` when neither exists.

    Refurbishing has no per-model figure, so it always comes from the category.
    """
    if category_refurbishing is None:
        return None
    if model_total is not None and model_share is not None:
        return Footprint(model_total, model_share, category_refurbishing, "model")
    if category_new is not None and category_share is not None:
        return Footprint(category_new, category_share, category_refurbishing, "category")
    return None
