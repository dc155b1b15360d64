"""The page cache's switch: ``RELOOP_PAGE_CACHE`` off renders every body, without touching the fragment TTL."""

from __future__ import annotations

from reloop.web import page_cache


def _counting_render(calls: list[int]):
    def render() -> str:
        calls.append(1)
        return f"body {len(calls)}"

    return render


def test_a_body_is_rendered_once_and_then_served_from_the_cache(settings):
    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 300
    settings.RELOOP_PAGE_CACHE = True
    calls: list[int] = []
    key = page_cache.key("product", "en-gb", 1, 7)
    assert page_cache.get_or_render(key, _counting_render(calls)) == "body 1"
    assert page_cache.get_or_render(key, _counting_render(calls)) == "body 1"
    assert len(calls) == 1


def test_with_the_page_cache_off_every_view_renders_while_fragments_keep_their_ttl(settings):
    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 300  # the navigation and footer fragments stay cached this long
    settings.RELOOP_PAGE_CACHE = False
    calls: list[int] = []
    key = page_cache.key("product", "en-gb", 1, 7)
    assert page_cache.get_or_render(key, _counting_render(calls)) == "body 1"
    assert page_cache.get_or_render(key, _counting_render(calls)) == "body 2"
    assert len(calls) == 2
    settings.RELOOP_PAGE_CACHE = True  # nothing was stored while it was off
    assert page_cache.get_or_render(key, _counting_render(calls)) == "body 3"
