"""Seller organisations (refurbishers) and their standing on the marketplace."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Standing(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Seller(models.Model):
    name = models.CharField(_("trading name"), max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    legal_name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 country of establishment"))
    city = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    standing = models.CharField(max_length=10, choices=Standing.choices, default=Standing.PENDING)
    quality_score = models.PositiveSmallIntegerField(
        default=100, help_text=_("0-100, computed from the last 90 days of orders")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(quality_score__lte=100), name="seller_quality_score_max_100"),
            models.CheckConstraint(condition=Q(standing__in=Standing.values), name="seller_standing_valid"),
        ]

    def __str__(self) -> str:
        return self.name
