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
