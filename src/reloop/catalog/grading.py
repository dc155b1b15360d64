"""The grade standard: condition is three orthogonal fields (DESIGN.md section 2, docs/adr/0004-condition-grades.md).

Cosmetic grade, battery tier and parts provenance are separate choices, each with a definition a buyer reads
before buying. Every listed unit, whatever its grade, is fully functional, unlocked and erased.
"""

from __future__ import annotations

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

#: What every unit sold on Reloop is, whatever its grade.
BASELINE_PROMISES = (
    _("Fully functional, tested on every function"),
    _("Unlocked: no carrier, activation or MDM lock"),
    _("Data erased"),
)
