"""The search index: one document per product model, the index vocabulary, and operator-edited synonyms.

``SearchDocument`` is derived data, rebuilt from the catalogue at any time (``reloop rebuild_search_index``). The
engine-specific index sits on it: an FTS5 table kept in step by triggers on SQLite, GIN indexes (full text and
``pg_trgm`` trigrams) on PostgreSQL (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.catalog.models import ProductModel


class SearchDocument(models.Model):
    product_model = models.OneToOneField(ProductModel, on_delete=models.CASCADE, related_name="search_document")
    #: Brand and model name, normalized (``search.domain.normalize``) and with glued forms: weighs most.
    title = models.TextField()
    #: Category names in every language, category words, colours, specs: normalized.
    keywords = models.TextField(blank=True)
    title_length = models.PositiveSmallIntegerField(default=0)
    indexed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title


class SearchTerm(models.Model):
    """A word of the index, with how many documents hold it: what typos are corrected to."""

    term = models.CharField(max_length=60, unique=True)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.term


class Synonym(models.Model):
    """What buyers type, searched as other words: "ps" → "playstation", "handy" → "smartphone"."""

    term = models.CharField(
        max_length=60, unique=True, help_text=_("What a buyer types, one or two words (case and accents ignored)")
    )
    expansion = models.CharField(max_length=120, help_text=_("The words searched instead"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["term"]
        constraints = [
            models.CheckConstraint(condition=~Q(term="") & ~Q(expansion=""), name="synonym_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansion}"


class PriceAlert(models.Model):
    """A buyer's wish: email me once when the buy box of this variant (in this grade, or any) in this market
    drops to my price. Anonymous visitors confirm their address first (double opt-in); the email's link
    unsubscribes without signing in. After it fires it stays quiet until re-armed (docs/price-alerts.md)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="price_alerts"
    )
    email = models.EmailField()
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="price_alerts")
    grade = models.CharField(max_length=10, blank=True, help_text=_("Empty: any grade"))
    market = models.CharField(max_length=5)
    currency = models.CharField(max_length=3)
    target_price = models.BigIntegerField(help_text=_("Minor units of the market's currency"))
    confirm_token = models.CharField(max_length=43, unique=True)
    unsubscribe_token = models.CharField(max_length=43, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    armed = models.BooleanField(default=True, help_text=_("Waiting for the price; off once the email is sent"))
    fired_at = models.DateTimeField(null=True, blank=True)
    fired_price = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["email", "variant", "grade", "market"], name="price_alert_unique_wish"),
            models.CheckConstraint(condition=Q(target_price__gt=0), name="price_alert_target_positive"),
        ]
        indexes = [models.Index(fields=["armed", "market"])]

    def __str__(self) -> str:
        return f"{self.email} {self.variant_id}/{self.grade or 'any'}/{self.market} ≤ {self.target_price}"


class Favourite(models.Model):
    """A model a signed-in buyer keeps an eye on (their account's favourites list)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    product_model = models.ForeignKey("catalog.ProductModel", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "product_model"], name="favourite_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.product_model_id}"
