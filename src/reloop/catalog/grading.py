"""The grade standard: condition is three orthogonal fields (DESIGN.md section 2, docs/adr/0004-condition-grades.md).

Cosmetic grade, battery tier and parts provenance are separate choices, each with a definition a buyer reads
before buying. Every listed unit, whatever its grade, is fully functional, unlocked and erased.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    PREMIUM = "premium", _("Premium")
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")


GRADE_DEFINITIONS = {
    Grade.PREMIUM: _(
        "Flawless screen and body, no signs of use. All-original manufacturer parts and a battery at 90% "
        "health or more, or new."
    ),
    Grade.EXCELLENT: _("No scratches on the screen; body marks invisible from 20 cm."),
    Grade.GOOD: _("No scratches visible on the screen when it is on; light body marks invisible from 50 cm."),
    Grade.FAIR: _(
        "Visible signs of wear: light screen scratches invisible when the display is on, body scratches or "
        "small dents. No cracks, fully functional."
    ),
}

#: Physical games (disc or cartridge) have no screen, body or battery: the same four grades judge the medium, the
#: case and the printed inserts (docs/video-games.md). Every graded game loads and plays to the end.
GAME_GRADE_DEFINITIONS = {
    Grade.PREMIUM: _(
        "Disc or cartridge without a mark, original case without a crack and the original cover, manual and "
        "inserts that came with it."
    ),
    Grade.EXCELLENT: _(
        "Disc with at most faint marks invisible at arm's length, or a cartridge with an intact label; original "
        "case and cover; printed manual may be missing."
    ),
    Grade.GOOD: _(
        "Light scratches on the disc or a worn cartridge label, tested to load and play; original cover, case may "
        "show wear or be a replacement; no manual."
    ),
    Grade.FAIR: _(
        "Visible scratches or a damaged label, tested to load and play in full; replacement case or cover, no manual."
    ),
}
#: Categories whose units are games, graded by GAME_GRADE_DEFINITIONS.
GAME_CATEGORIES = frozenset({"video-games"})


def grade_definitions(category_slug: str) -> dict[Grade, Any]:
    """What each grade means for a device of this category."""
    return {**(GAME_GRADE_DEFINITIONS if category_slug in GAME_CATEGORIES else GRADE_DEFINITIONS)}


#: Best first: the order of the grade picker.
GRADE_ORDER = (Grade.PREMIUM, Grade.EXCELLENT, Grade.GOOD, Grade.FAIR)


class BatteryTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    HIGH = "high", _("High capacity (90% or more)")
    NEW = "new", _("New battery")


BATTERY_DEFINITIONS = {
    BatteryTier.STANDARD: _("At least %(minimum)s%% of the original capacity, tested before dispatch."),
    BatteryTier.HIGH: _("At least 90% of the original capacity, tested before dispatch."),
    BatteryTier.NEW: _("A new battery fitted by the refurbisher."),
}

#: Minimum state of health for the standard tier: 80% for phones, 85% for other devices with a battery.
PHONE_BATTERY_MINIMUM = 80
OTHER_BATTERY_MINIMUM = 85
HIGH_BATTERY_MINIMUM = 90


class PartsProvenance(models.TextChoices):
    ALL_ORIGINAL = "all_original", _("All original parts")
    OEM_HARVESTED = "oem_harvested", _("Original parts from other devices")
    COMPATIBLE = "compatible", _("Compatible parts")


PARTS_DEFINITIONS = {
    PartsProvenance.ALL_ORIGINAL: _("Every part is the one the manufacturer fitted to this unit."),
    PartsProvenance.OEM_HARVESTED: _(
        "Some parts were replaced with genuine manufacturer parts taken from other devices."
    ),
    PartsProvenance.COMPATIBLE: _(
        "Some parts were replaced with third-party parts that match the original's performance; the "
        "replaced parts are listed on the offer."
    ),
}

#: What every seller commits to for every unit it sells, whatever the grade: the standard's commitments, worded as
#: commitments. Whether a given unit is unlocked or was erased is said per offer, only from its unit passports
#: (passports app, docs/unit-passports.md).
BASELINE_PROMISES = (
    _("Every seller commits to test every function before sale"),
    _("Every seller commits to sell units free of carrier, activation and MDM locks"),
    _("Every seller commits to erase the previous owner's data before sale"),
)
