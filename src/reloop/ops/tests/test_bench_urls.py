"""``reloop bench``'s distinct-URL lists: many different pages, each one a working page, in a reproducible order."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, override_settings

from reloop.catalog.tests.factories import make_models
from reloop.ops import bench, bench_urls


@pytest.mark.django_db
@override_settings(RELOOP_CATALOGUE_CACHE_SECONDS=0)
@pytest.mark.parametrize("scenario", ["product", "category", "search"])
def test_each_list_holds_distinct_urls_of_pages_that_answer_200(scenario):
    make_models(4)

    urls = bench_urls.URL_LISTS[scenario](60)

    assert len(urls) == len(set(urls)) > 10  # distinct, as many as four models allow (for products: 8 variants)
    assert bench_urls.URL_LISTS[scenario](60) == urls  # the same seed draws the same list in the same order
    markets = {u.split("/")[1] for u in urls}
    assert len(markets) > 3  # spread over the markets
    client = Client()
    for url in urls[:15]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_category_urls_combine_filters_and_search_urls_use_the_markets_own_path():
    make_models(4)

    categories = bench_urls.category_urls(200)
    searches = bench_urls.search_urls(200)

    assert any("brand=" in u for u in categories)
    assert any("sort=" in u for u in categories)
    assert any(u.startswith("/de-de/suche/?q=") for u in searches)  # reverse() in the market's language
    assert all("?q=" in u for u in searches)


def test_the_lua_script_and_the_list_file_are_what_wrk_is_given(tmp_path: Path):
    script = bench_urls.write_script(tmp_path)
    listed = bench_urls.write_url_list(tmp_path, "product", ["/a/", "/b/"])

    argv = bench.wrk_argv(
        "wrk",
        "http://127.0.0.1:1/",
        threads=1,
        connections=8,
        duration_s=5,
        latency=True,
        script=script,
        url_file=listed,
    )

    assert argv == [
        "wrk",
        "-t1",
        "-c8",
        "-d5s",
        "--timeout=10s",
        "--latency",
        "-s",
        str(script),
        "http://127.0.0.1:1/",
        "--",
        str(listed),
    ]
    assert listed.read_text() == "/a/\n/b/\n"
    assert "io.lines(args[1])" in script.read_text()


def test_plan_runs_measures_each_page_in_each_mode_then_the_rest_once(tmp_path: Path):
    urls = {"product": "/p/", "category": "/c/", "api": "/api/", "floor": "/healthz"}
    files = {"product": (tmp_path / "p.txt", 3000), "category": (tmp_path / "c.txt", 3000)}

    runs = bench.plan_runs(urls, ["hit", "distinct", "cold"], files)

    assert [r.label for r in runs] == [
        *("product", "product distinct", "product cold"),
        *("category", "category distinct", "category cold"),
        *("api", "floor"),
    ]
    assert [r.cold for r in runs].count(True) == 2
    assert runs[1].url_file == tmp_path / "p.txt"
    assert runs[1].path == "/p/"  # the warm-up loads the single URL


def test_the_side_by_side_table_puts_hit_distinct_and_cold_of_a_page_on_one_line():
    def result(mode: str, rps: float) -> tuple:
        wrk = bench.WrkResult(requests=100, requests_per_s=rps, p50_ms=1.0, p99_ms=9.0, non_2xx=0, socket_errors=0)
        return ("product", "/p/", wrk, mode, None if mode == "hit" else 3000)

    floor = bench.WrkResult(requests=100, requests_per_s=1000.0, p50_ms=1.0, p99_ms=2.0, non_2xx=0, socket_errors=0)
    queries = {"product": bench.QueryCount(200, 1), "product cold": bench.QueryCount(200, 5)}
    results = bench.with_ratios(
        [result("hit", 300.0), result("distinct", 210.0), result("cold", 200.0), ("floor", "/healthz", floor)],
        queries,
    )

    table = bench.render_side_by_side(results)

    assert table is not None
    assert (
        "| product | 300 req/s, 30.0%, p99 9 ms | 210 req/s, 21.0%, p99 9 ms | 200 req/s, 20.0%, p99 9 ms "
        "| ≥ 23%, p99 ≤ 30 ms | 1 / — / 5 |"
    ) in table
    assert bench.render_side_by_side(results[:1] + results[3:]) is None  # one URL per page only: nothing to add
