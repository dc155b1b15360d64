"""Reference footprints of new devices and of refurbishing, each tied to its published source."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.catalog.models import Category, ProductModel
from reloop.impact.domain import avoided_kgco2e


class ImpactSource(models.Model):
    """A publication a figure comes from. Shown beside every figure (no claim without a source)."""

    key = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    url = models.URLField()
    published_on = models.DateField(null=True, blank=True, help_text=_("Empty when the publication is undated"))
    licence = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}"


class CategoryFootprint(models.Model):
    """Typical figures for a category, used when the manufacturer publishes none for the model."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="footprint")
    new_kgco2e = models.DecimalField(max_digits=8, decimal_places=2, help_text=_("Life cycle of a new device"))
    new_source = models.ForeignKey(ImpactSource, on_delete=models.PROTECT, related_name="+")
    manufacturing_share = models.DecimalField(max_digits=4, decimal_places=3)
    manufacturing_share_source = models.ForeignKey(ImpactSource, on_delete=models.PROTECT, related_name="+")
    refurbishing_kgco2e = models.DecimalField(max_digits=8, decimal_places=2)
    refurbishing_source = models.ForeignKey(ImpactSource, on_delete=models.PROTECT, related_name="+")
    # The per-offer range (docs/adr/0042-per-offer-co2e-ranges.md): the spread of the new-device figures, the
    # lower published refurbishing figure (a unit without new parts) and the parcel's mass for transport.
    new_kgco2e_low = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("Low end of the new-device figures")
    )
    new_kgco2e_high = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("High end of the new-device figures")
    )
    spread_note = models.TextField(blank=True)
    refurbishing_light_kgco2e = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Lower published refurbishing figure, for a unit without new parts"),
    )
    refurbishing_light_source = models.ForeignKey(
        ImpactSource, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    shipped_kg = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("0.5"), help_text=_("Mass of one parcel, for transport")
    )
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(manufacturing_share__gte=0) & Q(manufacturing_share__lte=1),
                name="category_footprint_share_0_1",
            ),
            models.CheckConstraint(
                condition=Q(new_kgco2e__gt=0) & Q(refurbishing_kgco2e__gte=0),
                name="category_footprint_positive",
            ),
            models.CheckConstraint(
                condition=Q(new_kgco2e_low__isnull=True)
                | Q(new_kgco2e_low__gt=0, new_kgco2e_low__lte=models.F("new_kgco2e")),
                name="category_footprint_low_at_most_median",
            ),
            models.CheckConstraint(
                condition=Q(new_kgco2e_high__isnull=True) | Q(new_kgco2e_high__gte=models.F("new_kgco2e")),
                name="category_footprint_high_at_least_median",
            ),
            models.CheckConstraint(
                condition=Q(refurbishing_light_kgco2e__isnull=True)
                | Q(refurbishing_light_kgco2e__gte=0, refurbishing_light_kgco2e__lte=models.F("refurbishing_kgco2e")),
                name="category_footprint_light_at_most_full",
            ),
            models.CheckConstraint(condition=Q(shipped_kg__gte=0), name="category_footprint_shipped_kg_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.new_kgco2e} kg CO2e new"

    @property
    def avoided(self) -> Decimal:
        """Avoided CO2e of one refurbished device of this category, from these figures alone."""
        return avoided_kgco2e(
            new_kgco2e=self.new_kgco2e,
            manufacturing_share=self.manufacturing_share,
            refurbishing_kgco2e=self.refurbishing_kgco2e,
        )


class ModelFootprint(models.Model):
    """A manufacturer's published life-cycle footprint for one model (one reference configuration)."""

    product_model = models.OneToOneField(ProductModel, on_delete=models.CASCADE, related_name="footprint")
    total_kgco2e = models.DecimalField(max_digits=8, decimal_places=2)
    manufacturing_share = models.DecimalField(max_digits=4, decimal_places=3)
    lifetime_years = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    reference_configuration = models.CharField(max_length=120, blank=True)
    report = models.CharField(max_length=200, help_text=_("The manufacturer's report the figure comes from"))
    report_date = models.DateField()
    source = models.ForeignKey(ImpactSource, on_delete=models.PROTECT, related_name="model_footprints")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(manufacturing_share__gte=0) & Q(manufacturing_share__lte=1),
                name="model_footprint_share_0_1",
            ),
            models.CheckConstraint(condition=Q(total_kgco2e__gt=0), name="model_footprint_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_model}: {self.total_kgco2e} kg CO2e"


class TransportMode(models.TextChoices):
    ROAD = "road", _("Road")
    AIR = "air", _("Air")


class TransportFactor(models.Model):
    """Emissions of carrying one tonne over one kilometre, per mode: the published low and high figures, and the
    point figure used (the high one: the conservative reading)."""

    mode = models.CharField(max_length=10, choices=TransportMode.choices, unique=True)
    low_kg_per_tonne_km = models.DecimalField(max_digits=8, decimal_places=5)
    point_kg_per_tonne_km = models.DecimalField(max_digits=8, decimal_places=5)
    high_kg_per_tonne_km = models.DecimalField(max_digits=8, decimal_places=5)
    low_source = models.ForeignKey(ImpactSource, on_delete=models.PROTECT, related_name="+")
    high_source = models.ForeignKey(ImpactSource, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["mode"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low_kg_per_tonne_km__gte=0)
                & Q(low_kg_per_tonne_km__lte=models.F("point_kg_per_tonne_km"))
                & Q(point_kg_per_tonne_km__lte=models.F("high_kg_per_tonne_km")),
                name="transport_factor_low_point_high",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mode}: {self.low_kg_per_tonne_km}–{self.high_kg_per_tonne_km} kg CO2e/t·km"
