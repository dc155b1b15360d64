"""Offers: one seller's units of one variant in one condition, with a stock and a price per market."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.models import Variant
from reloop.markets.data import MARKET_CODES
from reloop.sellers.models import Seller

MIN_WARRANTY_MONTHS = 12


class VatScheme(models.TextChoices):
    MARGIN = "margin", _("Margin scheme")
    STANDARD = "standard", _("Standard VAT")


class Offer(models.Model):
    """Seller × variant × grade × battery tier × parts provenance. Stock is one number for every market."""

    # No single-column indexes on the two keys: (seller, sku), (seller, variant) and (variant, grade) lead with them,
    # and every bulk repricing writes each index of each updated row (docs/benchmarks.md, ingestion, fourth run).
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="offers", db_index=False)
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="offers", db_index=False)
    grade = models.CharField(max_length=10, choices=Grade.choices)
    battery_tier = models.CharField(max_length=10, choices=BatteryTier.choices, default=BatteryTier.STANDARD)
    parts_provenance = models.CharField(
        max_length=16, choices=PartsProvenance.choices, default=PartsProvenance.ALL_ORIGINAL
    )
    replaced_parts = models.JSONField(default=list, blank=True, help_text=_('e.g. ["screen", "battery"]'))
    sku = models.CharField(_("seller SKU"), max_length=64)
    stock = models.PositiveIntegerField(default=0)
    warranty_months = models.PositiveSmallIntegerField(default=MIN_WARRANTY_MONTHS)
    dispatch_days = models.PositiveSmallIntegerField(default=1)
    vat_scheme = models.CharField(max_length=10, choices=VatScheme.choices, default=VatScheme.MARGIN)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "sku"], name="offer_unique_seller_sku"),
            models.UniqueConstraint(
                fields=["seller", "variant", "grade", "battery_tier", "parts_provenance"],
                name="offer_unique_seller_condition",
            ),
            models.CheckConstraint(condition=Q(stock__gte=0), name="offer_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(warranty_months__gte=MIN_WARRANTY_MONTHS), name="offer_warranty_at_least_12_months"
            ),
            models.CheckConstraint(condition=Q(dispatch_days__lte=30), name="offer_dispatch_days_at_most_30"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="offer_grade_valid"),
            models.CheckConstraint(condition=Q(battery_tier__in=BatteryTier.values), name="offer_battery_tier_valid"),
            models.CheckConstraint(
                condition=Q(parts_provenance__in=PartsProvenance.values), name="offer_parts_provenance_valid"
            ),
            models.CheckConstraint(condition=Q(vat_scheme__in=VatScheme.values), name="offer_vat_scheme_valid"),
            # Premium means flawless with all-original parts and a battery of 90% or better (DESIGN.md)
            models.CheckConstraint(
                condition=~Q(grade=Grade.PREMIUM)
                | (Q(parts_provenance=PartsProvenance.ALL_ORIGINAL) & ~Q(battery_tier=BatteryTier.STANDARD)),
                name="offer_premium_is_original_with_high_or_new_battery",
            ),
        ]
        indexes = [models.Index(fields=["variant", "grade"]), models.Index(fields=["seller", "variant"])]

    def __str__(self) -> str:
        return f"{self.sku} ({self.get_grade_display()})"


class OfferPrice(models.Model):
    """The offer's price in one market, in that market's currency. No row: not sold in that market."""

    # no index of its own: the unique (offer, market) leads with it, and a repricing writes every index of the row
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="prices", db_index=False)
    market = models.CharField(max_length=5, choices=[(c, c) for c in MARKET_CODES])
    amount = models.BigIntegerField(help_text=_("Minor units, tax included where the market shows tax"))
    currency = models.CharField(max_length=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["offer", "market"], name="offer_price_unique_market"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="offer_price_positive"),
        ]
        indexes = [models.Index(fields=["market", "offer"])]

    def __str__(self) -> str:
        return f"{self.offer_id} {self.market} {self.amount} {self.currency}"


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Checked, waiting to be applied")
    QUEUED = "queued", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")


class OfferImport(models.Model):
    """A CSV file a seller uploaded: its text, the validation report, and what applying it did (offers.imports).

    The report (``summary`` and ``errors``) is what the seller saw and approved; applying re-plans the stored file
    and refuses to write anything that differs from it. ``status`` moves validated → queued → applied (or failed)
    by conditional updates only, so an import is applied at most once, however often "apply" is pressed.
    """

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="offer_imports")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.TextField(help_text=_("The file as UTF-8 text"))
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.VALIDATED)
    skip_invalid = models.BooleanField(default=False, help_text=_("Apply the valid lines and skip the refused ones"))
    summary = models.JSONField(default=dict, help_text=_("lines, created, updated, unchanged, errors"))
    errors = models.JSONField(default=list, help_text=_("[line, column, value, code, message] per problem"))
    message = models.TextField(blank=True, help_text=_("Why it failed, or why the report was renewed"))
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="offer_import_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ImportStatus.APPLIED) | Q(applied_at__isnull=False),
                name="offer_import_applied_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class OfferPhoto(models.Model):
    """A photo of the actual unit an offer sells, added by its seller in the back office and shown on the product
    page for that offer, labelled as the seller's photo. The renditions are made by ``catalog.images`` (checked,
    re-encoded to WebP and JPEG, metadata dropped) and stored under ``offers/<offer id>/``. ``digest`` (SHA-256 of
    the uploaded bytes) makes a retried upload of the same file return the first photo instead of a copy."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    alt = models.CharField(max_length=200, help_text=_("What the photo shows, for screen readers"))
    width = models.PositiveIntegerField(help_text=_("Of the largest rendition"))
    height = models.PositiveIntegerField()
    renditions = models.JSONField(default=list, help_text=_("[{w, h, webp, jpeg}] smallest first"))
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offer", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["offer", "digest"], name="offer_photo_once_per_file")]
        indexes = [models.Index(fields=["offer", "position"])]

    def __str__(self) -> str:
        return f"offer {self.offer_id} photo #{self.position}"

    is_illustration = False  # the shared <picture> helper labels drawings; a seller's photo never is one
