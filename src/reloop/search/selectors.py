"""Search reads: a typed query → ranked product models, spelling suggestions, and autocomplete.

Ranking (docs/search.md): relevance from the engine first; models whose relevance is within 10% of each other are
ordered by availability in the buyer's market (on offer first), then popularity (number of buy boxes there), then
the shorter title ("iPhone 13" before "iPhone 13 Pro Max" for "iphone 13").
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Sum

from reloop.catalog.models import Category, ProductModel, Variant
from reloop.pricing.models import VariantOfferSummary
from reloop.search.backends import Hit, SearchBackend, get_backend
from reloop.search.domain import (
    ParsedQuery,
    apply_synonyms,
    join_candidates,
    normalize,
    parse_query,
    rewrite,
    split_candidates,
)
from reloop.search.models import Synonym
from reloop.search.services import DATA_DIR, category_keywords

#: Relevance tiers: hits whose scores are this close count as equally relevant.
TIERS = 10


@lru_cache(maxsize=1)
def shipped_synonyms() -> dict[tuple[str, ...], tuple[str, ...]]:
    data: dict[str, str] = json.loads((DATA_DIR / "synonyms.json").read_text(encoding="utf-8"))
    return {tuple(normalize(k)): tuple(normalize(v)) for k, v in data.items() if not k.startswith("_")}


def synonyms() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Shipped synonyms overridden and extended by the operator's (one query)."""
    found = dict(shipped_synonyms())
    for term, expansion in Synonym.objects.values_list("term", "expansion"):
        found[tuple(term.split())] = tuple(expansion.split())
    return found


@dataclass(frozen=True)
class SearchResult:
    query: str
    words: tuple[str, ...]
    storage_gb: tuple[int, ...]
    model_ids: list[int]
    #: The words searched when they differ from the typed ones (spelling, joins): "Showing results for …".
    corrected: str = ""
    #: False when no model holds every word: ``model_ids`` are then the closest models (any word).
    exact: bool = True
    ignored: tuple[str, ...] = field(default_factory=tuple)


def _plan(
    parsed: ParsedQuery, backend: SearchBackend, *, autocomplete: bool
) -> tuple[tuple[str, ...], bool, bool, tuple[str, ...]]:
    words = apply_synonyms(parsed.words, synonyms())
    if not words:
        return (), False, False, ()
    last = words[-1] if parsed.open_ended else None
    candidates = set(words) | join_candidates(words)
    for w in words:
        candidates.update(p for pair in split_candidates(w) for p in pair)
    known, prefixes = backend.known_terms(candidates, prefix=last)
    unknown = [w for w in words if w not in known and not w.isdigit() and not (w == last and w in prefixes)]
    corrections = backend.corrections(unknown) if unknown else {}
    plan = rewrite(words, known=known, open_ended=parsed.open_ended, prefixes=prefixes, corrections=corrections)
    searched = tuple(w for w in plan.words if w not in plan.unknown) or plan.words
    final = searched[-1] if searched else ""
    prefix_last = bool(parsed.open_ended and final == words[-1] and (autocomplete or final not in known))
    return searched, prefix_last, plan.corrected, plan.unknown


def _ranked(hits: Sequence[Hit], market: str, words: Sequence[str], prefix_last: bool) -> list[int]:
    """Order hits: query words found in the title (more first), typed next to each other there, the share of
    the title they cover (closer first), then availability in ``market`` and popularity, then the engine's own
    relevance (one query)."""
    if not hits:
        return []
    ids = [h.product_model_id for h in hits]
    rows = (
        VariantOfferSummary.objects.filter(market=market, variant__product_model_id__in=ids)
        .values("variant__product_model_id")
        .annotate(offers=Sum("offer_count"))
        .order_by()
    )
    popularity = {r["variant__product_model_id"]: r["offers"] for r in rows}
    best = max(h.score for h in hits) or 1.0

    def in_title(hit: Hit) -> int:
        title = hit.title.split()
        found = 0
        for i, word in enumerate(words):
            if word in title or (prefix_last and i == len(words) - 1 and any(t.startswith(word) for t in title)):
                found += 1
        return found

    pairs = [f" {a} {b} " for a, b in itertools.pairwise(words)]

    def key(hit: Hit) -> tuple[int, int, int, int, int, int]:
        found = in_title(hit)
        together = sum(1 for pair in pairs if pair in f" {hit.title} ")  # "mac pro" before "mac mini … pro"
        coverage = round(TIERS * found / max(hit.title_length, 1))
        offers = popularity.get(hit.product_model_id, 0)
        tier = round(hit.score / best * TIERS) if best > 0 else 0
        return (-found, -together, -coverage, 0 if offers else 1, -offers, -tier)

    return [h.product_model_id for h in sorted(hits, key=key)]  # stable: the engine's order breaks ties


def search(*, query: str, market: str, autocomplete: bool = False) -> SearchResult:
    """Models matching ``query``, ranked; storage sizes in the query returned as a filter.

    Queries: synonyms, vocabulary (one or two), corrections when a word is unknown, the engine (one, two when
    nothing holds every word), availability: at most seven whatever the number of results.
    """
    parsed = parse_query(query)
    backend = get_backend()
    words, prefix_last, corrected, ignored = _plan(parsed, backend, autocomplete=autocomplete)
    if not words:
        return SearchResult(query, (), parsed.storage_gb, [])
    hits = backend.match(words, prefix_last=prefix_last, mode="all")
    exact = bool(hits)
    if not hits and len(words) > 1:
        hits = backend.match(words, prefix_last=prefix_last, mode="any")
    shown = " ".join(words) if corrected or ignored else ""
    ranked = _ranked(hits, market, words, prefix_last)
    return SearchResult(query, words, parsed.storage_gb, ranked, shown, exact, ignored)


@dataclass(frozen=True)
class ModelSuggestion:
    product_model: ProductModel
    variant_slug: str | None  # the variant of the storage size typed, when the model has it


@dataclass(frozen=True)
class Suggestions:
    query: str
    models: list[ModelSuggestion]
    categories: list[Category]
    storage_gb: tuple[int, ...]


def suggest(*, query: str, market: str, language: str, limit: int = 6) -> Suggestions:
    """Autocomplete: the best models (pointing at the typed storage size) and the categories whose names or
    words start like the query. A constant number of queries."""
    result = search(query=query, market=market, autocomplete=True)
    ids = result.model_ids[:limit]
    by_id = ProductModel.objects.select_related("brand", "category").in_bulk(ids)
    variants: dict[int, str] = {}
    if result.storage_gb and ids:
        for model_id, slug in (
            Variant.objects.filter(product_model_id__in=ids, storage_gb__in=result.storage_gb)
            .order_by("product_model_id", "storage_gb", "pk")
            .values_list("product_model_id", "slug")
        ):
            variants.setdefault(model_id, slug)
    models = [ModelSuggestion(by_id[i], variants.get(i)) for i in ids if i in by_id]
    return Suggestions(
        query, models, _matching_categories(result.words or tuple(normalize(query)), language), result.storage_gb
    )


def _matching_categories(words: Sequence[str], language: str) -> list[Category]:
    if not words:
        return []
    found = []
    for c in Category.objects.all():
        names = [c.localized_name(language), c.name, *category_keywords().get(c.slug, [])]
        vocabulary = {w for n in names for w in normalize(n)}
        if all(any(v.startswith(w) for v in vocabulary) for w in words if not w.isdigit()):
            found.append(c)
    return found[:3]
