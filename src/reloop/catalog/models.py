"""The standard catalogue: categories, brands, product models, variants and reference new prices."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from reloop.catalog.names import colour_name, model_name
from reloop.markets.data import MARKET_CODES


def localized(names: dict[str, str], language: str | None, fallback: str) -> str:
    """Pick ``names[language]``, trying ``fr`` for ``fr-be``, then English, then ``fallback``."""
    if language:
        for key in (language, language.split("-")[0]):
            if names.get(key):
                return names[key]
    return names.get("en") or fallback


class UnitIdentification(models.TextChoices):
    """How a unit of a category is identified when it ships (``devices``, ``fulfillment``): phones by their IMEI,
    most devices by the maker's serial, and things without one (a game disc, a cartridge) by a unit record the
    platform creates when the unit ships (docs/video-games.md). Blank on a category: as its parent; at the top,
    ``serial``."""

    IMEI = "imei", "IMEI"
    SERIAL = "serial", _("Serial number")
    NONE = "none", _("None: the platform numbers the unit")


class Category(models.Model):
    """A node of the category tree; product models attach to leaves."""

    slug = models.SlugField(unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=100, help_text=_("English name"))
    names = models.JSONField(default=dict, blank=True, help_text=_("Translated names by language code"))
    position = models.PositiveSmallIntegerField(default=0)
    cache_version = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("Bumped when prices shown on its pages change; part of cache keys")
    )
    commission_rate = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Commission in percent for sales in this category; empty: the platform default"),
    )
    battery_min_health = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Minimum battery state of health for the standard tier; empty when devices have none"),
    )
    unit_identification = models.CharField(
        max_length=6,
        choices=UnitIdentification.choices,
        blank=True,
        help_text=_("How a unit is identified when it ships; empty: as the parent category (at the top: serial)"),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(battery_min_health__isnull=True) | Q(battery_min_health__lte=100),
                name="category_battery_min_health_percent",
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__isnull=True) | (Q(commission_rate__gte=0) & Q(commission_rate__lte=50)),
                name="category_commission_rate_0_50",
            ),
            models.CheckConstraint(
                condition=Q(unit_identification__in=["", *UnitIdentification.values]),
                name="category_unit_identification_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.localized_name(get_language())

    def localized_name(self, language: str | None) -> str:
        return localized(self.names, language, self.name)

    @property
    def effective_unit_identification(self) -> str:
        """This category's ``unit_identification``, else its nearest ancestor's, else ``serial``. Walks
        ``parent``: select the parents with the category to keep it free of queries."""
        node: Category | None = self
        for _depth in range(10):
            if node is None:
                break
            if node.unit_identification:
                return node.unit_identification
            node = node.parent
        return UnitIdentification.SERIAL


class Brand(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductModel(models.Model):
    """A device model, e.g. "Apple iPhone 13": what a buyer searches for."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="product_models")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="product_models")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=160, unique=True)
    release_date = models.DateField()
    specs = models.JSONField(default=dict, blank=True)
    featured = models.BooleanField(default=False)

    class Meta:
        ordering = ["brand__name", "-release_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="product_model_unique_brand_name"),
        ]
        indexes = [
            models.Index(fields=["category", "brand"]),
            models.Index(fields=["featured", "release_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """ "Apple iPhone 13", but "Fairphone 4", whose name already says the brand. In English: what orders,
        the search index and the admin use; pages show ``display_title``."""
        brand = self.brand.name
        return self.name if self.name.lower().startswith(brand.lower()) else f"{brand} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the active language where the maker gives another one ("Pokémon Écarlate")."""
        return model_name(self.name)

    @property
    def display_title(self) -> str:
        brand = self.brand.name
        name = self.display_name
        return name if self.name.lower().startswith(brand.lower()) else f"{brand} {name}"

    @property
    def release_year(self) -> int:
        return self.release_date.year


class Variant(models.Model):
    """The buyable product page: one storage × colour × option combination of a model."""

    product_model = models.ForeignKey(ProductModel, on_delete=models.CASCADE, related_name="variants")
    slug = models.SlugField(max_length=120)
    storage_gb = models.PositiveIntegerField(null=True, blank=True)
    colour = models.CharField(max_length=60)
    options: models.JSONField[dict[str, str], dict[str, str]] = models.JSONField(
        default=dict, blank=True, help_text=_("Category-specific choices, e.g. keyboard layout")
    )
    cache_version = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("Bumped whenever anything its page shows changes; part of cache keys")
    )
    ean = models.CharField(
        max_length=14, null=True, blank=True, unique=True, verbose_name="EAN/GTIN"
    )  # NULL keeps "unknown" out of the unique constraint

    class Meta:
        ordering = ["product_model", "pk"]  # the dataset's order: storage ascending, launch colours in order
        constraints = [
            models.UniqueConstraint(fields=["product_model", "slug"], name="variant_unique_slug_per_model"),
            models.CheckConstraint(
                condition=Q(storage_gb__isnull=True) | Q(storage_gb__gt=0), name="variant_storage_positive"
            ),
        ]
        indexes = [models.Index(fields=["storage_gb"])]

    def __str__(self) -> str:
        return f"{self.product_model} {self.label}"

    @property
    def label(self) -> str:
        parts: list[str] = []
        if self.storage_gb:
            parts.append(format_storage(self.storage_gb))
        if self.colour:  # video games have none
            parts.append(colour_name(self.colour))  # the maker's name in the active language
        parts.extend(
            gettext("%(size)s GB RAM") % {"size": value} if axis == "ram_gb" else value
            for axis, value in self.options.items()
        )
        return " · ".join(parts)

    @property
    def display_colour(self) -> str:
        return colour_name(self.colour)

    def axis_values(self) -> dict[str, Any]:
        return {"storage_gb": self.storage_gb, "colour": self.colour, **self.options}


def format_storage(gb: int) -> str:
    """ "128 GB", "1 TB" (1000 GB as marketed), in the active language's units ("128 Go" in French)."""
    if gb >= 1000 and gb % 1000 == 0:
        return gettext("%(size)s TB") % {"size": gb // 1000}
    return gettext("%(size)s GB") % {"size": gb}


class ReferencePrice(models.Model):
    """The price of the variant new in one market, with where it comes from (shown as a labelled comparison)."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="reference_prices")
    market = models.CharField(max_length=5, choices=[(c, c) for c in MARKET_CODES])
    amount = models.BigIntegerField(help_text=_("Minor units of the market's currency"))
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=400)
    source_url = models.URLField(blank=True)
    observed_on = models.DateField(help_text=_("Date the price was published or observed"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "market"], name="reference_price_unique_variant_market"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="reference_price_positive"),
        ]
        indexes = [models.Index(fields=["market", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant_id} {self.market} {self.amount} {self.currency}"


class ProductImage(models.Model):
    """A picture of a model (in one colour, or any): its responsive renditions in WebP and JPEG, made by
    ``catalog.images`` and stored through Django's storage API. ``is_illustration``: a drawing generated from the
    data (the demo's), always labelled as such, never passed off as a photo."""

    product_model = models.ForeignKey(ProductModel, on_delete=models.CASCADE, related_name="images")
    colour = models.CharField(max_length=60, blank=True, help_text=_("Empty: any colour"))
    alt = models.CharField(max_length=200, help_text=_("What the picture shows, for screen readers"))
    position = models.PositiveSmallIntegerField(default=0)
    is_illustration = models.BooleanField(default=False)
    width = models.PositiveIntegerField(help_text=_("Of the largest rendition"))
    height = models.PositiveIntegerField()
    renditions = models.JSONField(default=list, help_text=_("[{w, h, webp, jpeg}] smallest first"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_model", "position", "pk"]
        indexes = [models.Index(fields=["product_model", "colour", "position"])]

    def __str__(self) -> str:
        return f"{self.product_model_id} {self.colour or '*'} #{self.position}"
