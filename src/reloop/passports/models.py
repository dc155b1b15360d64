"""Unit passports: the units a seller lists behind an offer, each with its device facts (passports.domain).

A unit is ``available`` (a buyer may choose it), ``reserved`` for the order line of a buyer who chose it,
``sold`` once shipped on an order line, or ``withdrawn`` by its seller. One IMEI or serial is live
(available or reserved) on at most one offer in the whole marketplace: a database constraint. The order line
is kept as its id (``order_line_ref``), not a foreign key: orders sit above this app's layer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.offers.models import Offer
from reloop.passports.domain import (
    ERASURE_METHODS,
    MAX_CYCLES,
    CheckResult,
    PartReplaced,
    PassportFacts,
)
from reloop.sellers.models import Seller


class UnitKind(models.TextChoices):
    """How a listed unit is identified (``devices.domain``): things without an IMEI or serial list no units."""

    IMEI = "imei", "IMEI"
    SERIAL = "serial", _("Serial number")


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved for a buyer")
    SOLD = "sold", _("Sold")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE = (UnitStatus.AVAILABLE, UnitStatus.RESERVED)


class OfferUnit(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="listed_units")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="units")
    kind = models.CharField(max_length=6, choices=UnitKind.choices)
    identifier = models.CharField(max_length=40)
    battery_health = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("State of health, %"))
    battery_cycles = models.PositiveIntegerField(null=True, blank=True)
    parts = models.JSONField(default=list, blank=True, help_text=_('[{"part": "screen", "provenance": "original"}]'))
    tests = models.JSONField(default=list, blank=True, help_text=_('[{"test": "display", "passed": true}]'))
    erasure_method = models.CharField(
        max_length=20, blank=True, choices=[(k, str(v)) for k, v in ERASURE_METHODS.items()]
    )
    erasure_certificate = models.CharField(max_length=60, blank=True)
    carrier_unlocked = models.BooleanField(null=True, blank=True)
    activation_lock_off = models.BooleanField(null=True, blank=True)
    mdm_free = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE)
    order_line_ref = models.BigIntegerField(
        null=True, blank=True, help_text=_("The order line (id) it is reserved for or was shipped on")
    )
    chosen_by_buyer = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "identifier"],
                condition=Q(status__in=["available", "reserved"]),
                name="offer_unit_live_once",
            ),
            models.CheckConstraint(condition=Q(status__in=UnitStatus.values), name="offer_unit_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="offer_unit_kind_valid"),
            models.CheckConstraint(
                condition=Q(battery_health__isnull=True) | Q(battery_health__lte=100), name="offer_unit_battery_0_100"
            ),
            models.CheckConstraint(
                condition=Q(battery_cycles__isnull=True) | Q(battery_cycles__lte=MAX_CYCLES),
                name="offer_unit_cycles_bounded",
            ),
            # Reserved and sold units belong to an order line; available and withdrawn ones to none.
            models.CheckConstraint(
                condition=(Q(status__in=["reserved", "sold"]) & Q(order_line_ref__isnull=False))
                | (Q(status__in=["available", "withdrawn"]) & Q(order_line_ref__isnull=True)),
                name="offer_unit_line_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["offer", "status"]),
            models.Index(fields=["order_line_ref"]),
            models.Index(fields=["seller", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.identifier} ({self.status})"

    @property
    def facts(self) -> PassportFacts:
        return PassportFacts(
            battery_health=self.battery_health,
            battery_cycles=self.battery_cycles,
            parts=tuple(PartReplaced(p["part"], p["provenance"]) for p in self.parts or ()),
            tests=tuple(CheckResult(t["test"], t["passed"]) for t in self.tests or ()),
            erasure_method=self.erasure_method,
            erasure_certificate=self.erasure_certificate,
            carrier_unlocked=self.carrier_unlocked,
            activation_lock_off=self.activation_lock_off,
            mdm_free=self.mdm_free,
        )
