"""The footprint table is kept per process while its generation token is the cache's (ADR 0032)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from reloop.impact import selectors
from reloop.impact.selectors import FootprintTable, footprint_table, forget_footprints


@pytest.fixture
def reads(monkeypatch):
    """Counts the reads of the shared table (cache, else database) behind the per-process memo."""
    calls: list[FootprintTable] = []

    def shared_table(ttl: int) -> FootprintTable:
        calls.append(FootprintTable({}, {}))
        return calls[-1]

    monkeypatch.setattr(selectors, "_memo", None)
    monkeypatch.setattr(selectors, "_shared_table", shared_table)
    return calls


@pytest.mark.django_db
def test_the_table_is_read_once_then_kept_in_the_process(reads, django_assert_num_queries):
    first = footprint_table()
    with django_assert_num_queries(0):
        assert footprint_table() is first
    assert len(reads) == 1


def test_forgetting_the_figures_makes_every_process_read_them_again(reads):
    first = footprint_table()
    forget_footprints()  # what load_footprints does after commit
    second = footprint_table()
    assert second is not first
    assert len(reads) == 2
    assert footprint_table() is second


def test_a_cleared_cache_or_an_expired_memo_is_read_again(reads, monkeypatch, settings):
    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 300
    footprint_table()
    cache.clear()  # another process (or a deploy) emptied the shared cache: the token is gone
    footprint_table()
    assert len(reads) == 2
    later = selectors.time.monotonic() + 301
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)
    footprint_table()  # the token is still there, but the memo outlived the catalogue TTL
    assert len(reads) == 3
