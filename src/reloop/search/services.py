"""Search writes: (re)indexing product models and the operator's synonyms."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction

from reloop.accounts.models import User
from reloop.catalog.models import Category, ProductModel
from reloop.catalog.names import other_names
from reloop.catalog.services import touch_categories
from reloop.core.errors import InvalidInput
from reloop.search.domain import fold, glued, normalize
from reloop.search.models import SearchDocument, SearchTerm, Synonym

DATA_DIR = Path(__file__).resolve().parent / "data"
#: Specification fields whose words a buyer may type ("m1", "a15", "in-ear", "5g").
SEARCHED_SPECS = ("chip", "cpu", "type", "panel", "switches", "connection")


@lru_cache(maxsize=1)
def category_keywords() -> dict[str, list[str]]:
    data: dict[str, Any] = json.loads((DATA_DIR / "keywords.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _category_words(category: Category, by_id: dict[int, Category]) -> list[str]:
    words: list[str] = []
    node: Category | None = category
    while node is not None:
        words += [node.slug.replace("-", " "), node.name, *node.names.values(), *category_keywords().get(node.slug, [])]
        node = by_id.get(node.parent_id) if node.parent_id else None
    return words


def _spec_words(specs: dict[str, Any]) -> list[str]:
    words = [str(specs[k]) for k in SEARCHED_SPECS if isinstance(specs.get(k), str | int)]
    if specs.get("5g") is True:
        words.append("5g")
    return words


def document_for(pm: ProductModel, categories: dict[int, Category]) -> SearchDocument:
    """The search document of one model (its brand, category and variants loaded)."""
    title_words = normalize(f"{pm.brand.name} {pm.name}")
    title = " ".join([*title_words, *glued(pm.name)])
    variant_words = []
    for v in pm.variants.all():
        variant_words += [v.colour, *other_names("colours", v.colour), *v.options.values()]
    variant_words += other_names("titles", pm.name)  # "Pokémon Écarlate": the maker's title in other languages
    # spec words stay glued ("a13", not "a 13"): a chip name must not answer a model-number search
    spec_words = [w for text in _spec_words(pm.specs) for w in fold(text).replace("-", " ").split() if w.isalnum()]
    spec_words += normalize(" ".join(str(pm.specs[k]) for k in ("platform", "media") if pm.specs.get(k)))
    keywords = " ".join(
        normalize(" ".join(_category_words(categories[pm.category_id], categories)))
        + spec_words
        + normalize(" ".join(dict.fromkeys(variant_words)))
    )
    return SearchDocument(product_model=pm, title=title, keywords=keywords, title_length=len(title_words))


def index_models(*, model_ids: Iterable[int] | None = None) -> int:
    """(Re)build the documents of these models (every model when ``None``) and the vocabulary; idempotent.

    Engines follow on their own: FTS5 through triggers, PostgreSQL's GIN indexes as rows change.
    """
    categories = {c.pk: c for c in Category.objects.all()}
    qs = ProductModel.objects.select_related("brand").prefetch_related("variants")
    if model_ids is not None:
        qs = qs.filter(pk__in=list(model_ids))
    documents = [document_for(pm, categories) for pm in qs]
    with transaction.atomic():
        SearchDocument.objects.bulk_create(
            documents,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["product_model"],
            update_fields=["title", "keywords", "title_length", "indexed_at"],
        )
        _rebuild_vocabulary()
    return len(documents)


def _rebuild_vocabulary() -> None:
    counts: Counter[str] = Counter()
    for title, keywords in SearchDocument.objects.values_list("title", "keywords"):
        counts.update(set(f"{title} {keywords}".split()))
    SearchTerm.objects.exclude(term__in=list(counts)).delete()
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=t[:60], documents=n) for t, n in counts.items()],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["term"],
        update_fields=["documents"],
    )


class InvalidSynonym(InvalidInput):
    code = "invalid_synonym"


def _clean_words(text: str, *, most: int) -> str:
    words = normalize(text)
    if not words:
        raise InvalidSynonym("Type at least one letter or digit.")
    if len(words) > most:
        raise InvalidSynonym(f"At most {most} words.")
    return " ".join(words)


@transaction.atomic  # not durable: the admin saves inside its own transaction
def save_synonym(*, actor: User, term: str, expansion: str) -> Synonym:
    """Create or replace the synonym of ``term`` (normalized: case and accents do not matter)."""
    key = _clean_words(term, most=2)
    synonym, _ = Synonym.objects.update_or_create(
        term=key, defaults={"expansion": _clean_words(expansion, most=6), "updated_by": actor}
    )
    transaction.on_commit(_results_changed)
    return synonym


@transaction.atomic
def delete_synonym(*, actor: User, synonym_id: int) -> bool:
    deleted, _ = Synonym.objects.filter(pk=synonym_id).delete()
    if deleted:
        transaction.on_commit(_results_changed)
    return bool(deleted)


def _results_changed() -> None:
    """Search pages are cached under the categories' versions: a synonym changes what they list."""
    touch_categories(category_ids=Category.objects.values_list("pk", flat=True))
