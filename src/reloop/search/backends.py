"""Search engines behind one protocol, chosen by the database: SQLite FTS5 or PostgreSQL full text + pg_trgm.

Both index the same ``SearchDocument`` rows (migration 0002 builds the engine's index); both take words already
normalized by ``search.domain`` and answer with product model ids ranked by relevance. A dedicated engine
(Meilisearch, OpenSearch) would implement the same protocol: docs/search.md describes that adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from django.db import connection
from django.db.models.functions import Length

from reloop.search.domain import allowed_typos, edit_distance, nearest
from reloop.search.models import SearchDocument, SearchTerm

Mode = Literal["all", "any"]

#: At most this many candidates come back from the engine; pages and facets work within them.
MAX_HITS = 300


@dataclass(frozen=True)
class Hit:
    product_model_id: int
    score: float  # higher is more relevant, comparable within one answer only
    title: str = ""  # the document's normalized title
    title_length: int = 0


class SearchBackend(Protocol):
    """What an engine does for Reloop. Words are normalized (``search.domain.normalize``), at most eight."""

    name: str

    def match(self, words: Sequence[str], *, prefix_last: bool, mode: Mode) -> list[Hit]:
        """Models whose documents hold all (``all``) or any (``any``) of ``words``, the most relevant first.

        With ``prefix_last`` the last word matches as a prefix (a word still being typed)."""
        ...

    def known_terms(self, candidates: Iterable[str], *, prefix: str | None) -> tuple[set[str], set[str]]:
        """Which ``candidates`` are words of the index, and whether some word starts with ``prefix``
        (``{prefix}`` or empty)."""
        ...

    def corrections(self, words: Iterable[str]) -> dict[str, str]:
        """The nearest indexed word of each of ``words`` within its allowed typos (``domain.allowed_typos``)."""
        ...


def _terms_in(candidates: Iterable[str], prefix: str | None) -> tuple[set[str], set[str]]:
    wanted = sorted({c for c in candidates if c})
    known = set(SearchTerm.objects.filter(term__in=wanted).values_list("term", flat=True)) if wanted else set()
    prefixes: set[str] = set()
    if prefix and (prefix in known or SearchTerm.objects.filter(term__startswith=prefix).exists()):
        prefixes.add(prefix)
    return known, prefixes


class SqliteFts5Backend:
    """SQLite's FTS5: BM25 ranking with the title weighing ten times the keywords; prefix indexes for 2-4
    letters. Typos: the vocabulary near the word's length, compared in Python (SQLite has no trigram index)."""

    name = "sqlite-fts5"

    def match(self, words: Sequence[str], *, prefix_last: bool, mode: Mode) -> list[Hit]:
        if not words:
            return []
        parts = [f'"{w}"' for w in words]  # words are [a-z0-9]+ after normalization: nothing to escape
        if prefix_last:
            parts[-1] += "*"
        expression = (" AND " if mode == "all" else " OR ").join(parts)
        sql = (
            "SELECT d.product_model_id, bm25(search_fts, 10.0, 1.0) AS rank, d.title, d.title_length FROM search_fts "
            "JOIN search_searchdocument d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH %s ORDER BY rank, d.title_length, d.product_model_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, MAX_HITS])
            return [Hit(model_id, -rank, title, length) for model_id, rank, title, length in cursor.fetchall()]

    def known_terms(self, candidates: Iterable[str], *, prefix: str | None) -> tuple[set[str], set[str]]:
        return _terms_in(candidates, prefix)

    def corrections(self, words: Iterable[str]) -> dict[str, str]:
        words = [w for w in words if allowed_typos(w)]
        if not words:
            return {}
        low = min(len(w) for w in words) - 2
        high = max(len(w) for w in words) + 2
        vocabulary = list(
            SearchTerm.objects.annotate(size=Length("term"))
            .filter(size__gte=low, size__lte=high, documents__gt=0)
            .order_by("-documents", "term")
            .values_list("term", flat=True)
        )
        found = {w: nearest(w, vocabulary) for w in words}
        return {w: c for w, c in found.items() if c}


class PostgresBackend:
    """PostgreSQL full-text search (``simple`` configuration, title weight A, keywords D, ``ts_rank``) and
    ``pg_trgm`` trigram similarity for typos, both served by GIN indexes (migration 0002)."""

    name = "postgresql-fts-trgm"
    VECTOR = "(setweight(to_tsvector('simple', d.title), 'A') || setweight(to_tsvector('simple', d.keywords), 'D'))"

    def match(self, words: Sequence[str], *, prefix_last: bool, mode: Mode) -> list[Hit]:
        if not words:
            return []
        parts = list(words)
        if prefix_last:
            parts[-1] += ":*"
        expression = (" & " if mode == "all" else " | ").join(parts)
        sql = (
            f"SELECT d.product_model_id, ts_rank({self.VECTOR}, q, 1) AS rank, d.title, d.title_length "  # noqa: S608  # constant SQL
            f"FROM search_searchdocument d, to_tsquery('simple', %s) q WHERE {self.VECTOR} @@ q "
            "ORDER BY rank DESC, d.title_length, d.product_model_id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, MAX_HITS])
            return [Hit(model_id, float(rank), title, length) for model_id, rank, title, length in cursor.fetchall()]

    def known_terms(self, candidates: Iterable[str], *, prefix: str | None) -> tuple[set[str], set[str]]:
        return _terms_in(candidates, prefix)

    def corrections(self, words: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        words = [w for w in words if allowed_typos(w)]
        if not words:
            return found
        sql = (
            "SELECT w, t.term FROM unnest(%s::text[]) AS w CROSS JOIN LATERAL ("
            " SELECT term FROM search_searchterm WHERE term %% w AND documents > 0"
            " ORDER BY similarity(term, w) DESC, documents DESC, term LIMIT 5) t"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [words])
            candidates: dict[str, list[str]] = {}
            for word, term in cursor.fetchall():
                candidates.setdefault(word, []).append(term)
        for word, terms in candidates.items():
            # trigrams find the candidates with the index; the edit distance keeps only real typos
            close = [t for t in terms if edit_distance(word, t, allowed_typos(word)) <= allowed_typos(word)]
            if close:
                found[word] = min(close, key=lambda t: (edit_distance(word, t), len(t), t))
        return found


def get_backend() -> SearchBackend:
    """The engine of the default database: FTS5 on SQLite, full text and trigrams on PostgreSQL."""
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteFts5Backend()
    raise NotImplementedError(f"No search backend for {connection.vendor}")


def document_count() -> int:
    return SearchDocument.objects.count()
