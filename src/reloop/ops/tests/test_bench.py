"""``reloop bench``: wrk's report parsed exactly, ratios and tables, URL choice, and one real run on gunicorn."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from reloop.catalog.tests.factories import VariantFactory, make_models
from reloop.offers.models import Offer
from reloop.ops import bench
from reloop.pricing.models import BuyBoxSnapshot
from reloop.sellers.models import Seller, Standing

# What `wrk -t1 -c8 -d20s --latency URL` prints (wrk 4.1, Debian), with every optional line and all three time
# units: the 50% line in microseconds, the 99% line in seconds.
WRK_WITH_ERRORS = """\
Running 20s test @ http://127.0.0.1:8765/api/v1/catalog/variants/161/buybox?market=en-gb
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms   31.40ms   1.40s    99.27%
    Req/Sec     1.57k   112.40     1.80k    71.00%
  Latency Distribution
     50%  812.00us
     75%    1.04ms
     90%    2.20ms
     99%    1.23s
  31248 requests in 20.01s, 12.90MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 12
Requests/sec:   1561.67
Transfer/sec:    660.13KB
"""

# A clean run, as wrk printed it against a local server: no socket errors, no error responses.
WRK_CLEAN = """\
Running 1s test @ http://127.0.0.1:8765/healthz
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.61ms    1.11ms  16.26ms   96.80%
    Req/Sec     1.26k   155.42     1.58k    63.64%
  Latency Distribution
     50%    1.46ms
     75%    1.82ms
     90%    2.25ms
     99%    5.14ms
  1384 requests in 1.10s, 1.89MB read
Requests/sec:   1258.58
Transfer/sec:      1.72MB
"""


def exact(value: float) -> object:
    """Equal up to float rounding of the unit conversion (812 us is 0.812 ms)."""
    return pytest.approx(value, rel=1e-12, abs=0)


def test_parse_wrk_output_reads_every_figure_and_converts_us_ms_and_s_to_milliseconds():
    result = bench.parse_wrk_output(WRK_WITH_ERRORS)

    assert result.requests == 31248
    assert result.requests_per_s == 1561.67
    assert result.p50_ms == exact(0.812)
    assert result.p99_ms == exact(1230.0)
    assert result.non_2xx == 12
    assert result.socket_errors == 5  # read 3 + timeout 2


def test_parse_wrk_output_without_error_lines_counts_zero_errors():
    assert bench.parse_wrk_output(WRK_CLEAN) == bench.WrkResult(
        requests=1384, requests_per_s=1258.58, p50_ms=1.46, p99_ms=5.14, non_2xx=0, socket_errors=0
    )


def test_parse_wrk_output_rejects_a_report_without_latency_distribution():
    without_latency = WRK_CLEAN.replace("  Latency Distribution\n", "").replace("     99%    5.14ms\n", "")

    with pytest.raises(bench.BenchError, match="unrecognised wrk output"):
        bench.parse_wrk_output(without_latency)


def test_ratio_to_floor_is_a_percentage_with_one_decimal_and_none_without_a_floor():
    assert bench.ratio_to_floor(345.0, 1500.0) == 23.0
    assert bench.ratio_to_floor(1.0, 3.0) == 33.3
    assert bench.ratio_to_floor(2.0, 3.0) == 66.7
    assert bench.ratio_to_floor(100.0, None) is None
    assert bench.ratio_to_floor(100.0, 0.0) is None


def wrk_result(rps: float, *, p50: float = 1.0, p99: float = 2.0, non_2xx: int = 0) -> bench.WrkResult:
    return bench.WrkResult(requests=1000, requests_per_s=rps, p50_ms=p50, p99_ms=p99, non_2xx=non_2xx, socket_errors=0)


def one_pass() -> list[bench.ScenarioResult]:
    measured = [
        ("product", "/p", wrk_result(690.0, p50=9.5, p99=31.25)),
        ("category", "/c", wrk_result(300.0, p50=20.0, p99=28.0)),
        ("api", "/a", wrk_result(1200.0, non_2xx=1000)),
        ("floor", "/f", wrk_result(3000.0)),
    ]
    counts = {
        "product": bench.QueryCount(200, 8),
        "category": bench.QueryCount(200, 7),
        "api": bench.QueryCount(404, 0),
        "floor": bench.QueryCount(200, 0),
    }
    return bench.with_ratios(measured, counts)


def test_with_ratios_divides_by_the_floor_of_the_same_pass():
    results = one_pass()

    assert [(r.scenario, r.ratio_to_floor, r.queries_per_request) for r in results] == [
        ("product", 23.0, 8),
        ("category", 10.0, 7),
        ("api", 40.0, 0),
        ("floor", 100.0, 0),
    ]


def test_with_ratios_without_a_floor_leaves_ratios_empty():
    (result,) = bench.with_ratios([("product", "/p", wrk_result(690.0))], {})

    assert result.ratio_to_floor is None
    assert result.queries_per_request is None


def test_render_table_shows_each_scenario_with_its_target_and_whether_it_was_met():
    assert bench.render_table(one_pass()) == (
        "| scenario |  req/s | p50 ms | p99 ms | non-2xx | queries/req | ratio to floor | target         |\n"
        "|----------|-------:|-------:|-------:|--------:|------------:|---------------:|----------------|\n"
        "| product  |  690.0 |   9.50 |  31.25 |       0 |           8 |          23.0% | ≥ 23% (met)    |\n"
        "| category |  300.0 |  20.00 |  28.00 |       0 |           7 |          10.0% | ≥ 13% (missed) |\n"
        "| api      | 1200.0 |   1.00 |   2.00 |    1000 |           0 |          40.0% | —              |\n"
        "| floor    | 3000.0 |   1.00 |   2.00 |       0 |           0 |         100.0% | —              |"
    )


def test_product_p99_verdict_and_error_notes():
    results = one_pass()
    counts = {"api": bench.QueryCount(404, 0)}

    assert bench.product_p99_verdict(results) == "Product page p99 ≤ 30 ms: no (31.25 ms)"
    assert bench.product_p99_verdict(results[1:]) is None
    assert bench.error_notes(results, counts) == [
        "api (/a): 1000 of 1000 responses were not 2xx/3xx; the in-process GET answered 404: "
        "its figures do not measure a working page."
    ]


def test_database_url_names_the_live_database_for_the_server_process(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "var/test.sqlite3"}
    postgres = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "reloop_test",
        "USER": "postgres",
        "PASSWORD": "p@ss:/word",
        "HOST": "127.0.0.1",
        "PORT": 5432,
    }

    assert bench.database_url(sqlite) == f"sqlite:///{tmp_path.resolve()}/var/test.sqlite3"
    assert bench.database_url(postgres) == "postgres://postgres:p%40ss%3A%2Fword@127.0.0.1:5432/reloop_test"
    assert bench.database_url({**postgres, "PASSWORD": "", "PORT": ""}) == "postgres://postgres@127.0.0.1/reloop_test"
    with pytest.raises(bench.BenchError, match="not a file"):
        bench.database_url({**sqlite, "NAME": ":memory:"})
    with pytest.raises(bench.BenchError, match="SQLite and PostgreSQL"):
        bench.database_url({"ENGINE": "django.db.backends.mysql", "NAME": "reloop"})


def test_the_command_without_wrk_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(bench.shutil, "which", lambda name: None)

    with pytest.raises(CommandError, match=r"apt-get install wrk"):
        call_command("bench", "--skip-seed", stdout=StringIO())


def test_the_command_rejects_an_unknown_scenario():
    with pytest.raises(CommandError, match="choose a comma-separated list from product,category,search,api,floor"):
        call_command("bench", "--scenarios", "floor,checkout", stdout=StringIO())
    with pytest.raises(CommandError, match="choose a comma-separated list from hit,distinct,cold"):
        call_command("bench", "--modes", "hit,warm", stdout=StringIO())


def test_a_busy_port_is_refused_rather_than_measured():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        with pytest.raises(bench.BenchError, match=f"port {port} on 127.0.0.1 is in use"):
            bench.ensure_port_free(port)


def test_a_server_that_ignores_sigterm_is_killed_with_its_process_group():
    ignore_sigterm = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(30)"
    )
    with subprocess.Popen(  # noqa: S603  # this interpreter running a fixed snippet; no shell
        [sys.executable, "-c", ignore_sigterm], stdout=subprocess.PIPE, start_new_session=True
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"

        bench.stop_process_group(process, grace=0.5)

        assert process.returncode == -signal.SIGKILL
        with pytest.raises(ProcessLookupError):
            os.killpg(process.pid, 0)


@pytest.mark.django_db
def test_select_urls_before_offers_exist_falls_back_to_the_first_models_first_variant():
    make_models(2)

    urls = bench.select_urls(["product", "category", "api", "floor"])

    variant = bench.benchmark_variant()
    assert variant is not None
    model = variant.product_model
    assert variant == model.variants.first()
    assert urls == {
        "product": f"/en-gb/p/{model.slug}/{variant.slug}/",
        "category": "/en-gb/c/smartphones/",
        "api": f"/api/v1/catalog/variants/{variant.pk}/buybox?market=en-gb",
        "floor": "/healthz",
    }


@pytest.mark.django_db
def test_select_urls_picks_the_variant_with_the_most_buy_boxes_in_en_gb():
    seller = Seller.objects.create(
        name="Refurb Co", slug="refurb-co", legal_name="Refurb Co Ltd", country="GB", standing=Standing.ACTIVE
    )
    few_in_en_gb, most_in_en_gb = VariantFactory(), VariantFactory()

    def buy_box(variant, grade, market):
        offer = Offer.objects.create(seller=seller, variant=variant, grade=grade, sku=f"{variant.pk}-{grade}", stock=1)
        BuyBoxSnapshot.objects.create(
            variant=variant, grade=grade, market=market, winner=offer, price=30000, currency="GBP", offer_count=1
        )

    buy_box(few_in_en_gb, "good", "en-gb")
    buy_box(few_in_en_gb, "fair", "fr-fr")
    buy_box(few_in_en_gb, "excellent", "fr-fr")
    buy_box(most_in_en_gb, "good", "en-gb")
    buy_box(most_in_en_gb, "fair", "en-gb")

    urls = bench.select_urls(["product", "api"])

    model = most_in_en_gb.product_model
    assert urls == {
        "product": f"/en-gb/p/{model.slug}/{most_in_en_gb.slug}/",
        "api": f"/api/v1/catalog/variants/{most_in_en_gb.pk}/buybox?market=en-gb",
    }


@pytest.mark.django_db
def test_select_urls_on_an_empty_database_asks_for_a_seed():
    with pytest.raises(bench.BenchError, match="run `reloop seed"):
        bench.select_urls(["product"])

    assert bench.select_urls(["floor"]) == {"floor": "/healthz"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk to load the server: apt-get install wrk")
@pytest.mark.django_db(transaction=True)  # gunicorn is another process: it only sees committed rows
def test_bench_serves_the_test_database_with_gunicorn_measures_it_with_wrk_and_stops_the_server(
    tmp_path: Path, monkeypatch
):
    make_models(3)
    started = []
    real_server = bench.gunicorn_server

    @contextlib.contextmanager
    def recording_server(**kwargs):
        with real_server(**kwargs) as server:
            started.append((server, kwargs))
            yield server

    monkeypatch.setattr(bench, "gunicorn_server", recording_server)
    report = tmp_path / "bench.json"
    out = StringIO()

    call_command(
        "bench",
        "--skip-seed",
        *("--duration", "3", "--warmup", "1", "--passes", "1", "--workers", "1", "--distinct-urls", "30"),
        *("--scenarios", "floor,category", "--port", str(free_port()), "--json", str(report)),
        stdout=out,
    )

    data = json.loads(report.read_text())
    ((server, kwargs), (cold_server, cold_kwargs)) = started
    assert kwargs["db_url"] == bench.database_url(connection.settings_dict)  # the test database, not the dev one
    assert connection.settings_dict["NAME"].rsplit("/", 1)[-1] in kwargs["db_url"]
    assert kwargs.get("page_cache", True) is True
    assert cold_kwargs["page_cache"] is False  # the cold runs' server renders every view
    assert cold_kwargs["db_url"] == kwargs["db_url"]
    (only_pass,) = data["passes"]
    category, distinct, cold, floor = only_pass
    assert [r["scenario"] for r in only_pass] == ["category", "category", "category", "floor"]
    assert [r["mode"] for r in only_pass] == ["hit", "distinct", "cold", "hit"]
    assert floor["requests_per_s"] > 0
    assert floor["non_2xx"] == floor["socket_errors"] == 0
    assert floor["ratio_to_floor"] == 100.0
    assert floor["queries_per_request"] == 0
    assert category["non_2xx"] == 0  # the server read the three models created in this test's database
    assert category["queries_per_request"] > 0
    for run in (distinct, cold):  # the URL list was played (filters of the three models), and every page answered
        assert run["distinct_urls"] > 1
        assert run["requests_per_s"] > 0
        # no error page; (wrk may count a timeout of a 2 s render on a busy CI machine as a socket error)
        assert run["non_2xx"] == 0
        assert run["queries_per_request"] > category["queries_per_request"]  # rendered, not a cache hit
    assert cold["url"].startswith(cold_server.base_url)
    assert data["size"] == "medium"
    assert data["seeded"] is False
    assert data["targets"]["category"] == {"min_ratio_to_floor_pct": 13.0, "max_p99_ms": None}
    assert "| floor             |" in out.getvalue()
    assert "| category | " in out.getvalue()  # the side-by-side table
    for running in (server, cold_server):
        assert running.process.returncode is not None  # gunicorn's master has exited…
        with pytest.raises(ProcessLookupError):  # …and no worker of its process group is left
            os.killpg(running.process.pid, 0)


@pytest.mark.django_db
def test_the_planner_statistics_are_refreshed_on_postgresql_before_measuring():
    # ANALYZE runs inside a transaction on PostgreSQL; SQLite keeps its plans (nothing to refresh). Only tables
    # holding a row are analysed: "0 rows" recorded for an empty table with pages makes the planner take it for
    # empty whatever is added next (reloop.ops.seeding.analyze_if_postgres).
    VariantFactory()
    assert bench.refresh_statistics() is (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname IN ('catalog_variant', 'pricing_buyboxsnapshot')"
            )
            analyzed = dict(cursor.fetchall())
        assert analyzed["catalog_variant"]
        assert BuyBoxSnapshot.objects.count() == 0
