"""``reloop bench``: the HTTP benchmark protocol (docs/benchmarks.md) as small functions.

This module owns choosing the benchmark URLs, counting their queries in-process, serving the site with gunicorn
in a child process, driving ``wrk`` against it, parsing wrk's report, the ratios to the floor, the targets, and
the text and JSON reports. The management command only wires them together. Nothing here prints: functions
return strings and the command writes them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import translation

from reloop.catalog.models import ProductModel, Variant
from reloop.offers.models import Offer
from reloop.ops.seeding import analyze_if_postgres
from reloop.pricing.models import BuyBoxSnapshot

SCENARIOS: tuple[str, ...] = ("product", "category", "search", "api", "floor")
#: The storefront pages that are also measured over many distinct URLs and with the page cache off.
PAGES: tuple[str, ...] = ("product", "category", "search")
#: hit: one URL, so every view after the first is a page-cache hit; distinct: thousands of URLs in random order
#: (``bench_urls``); cold: the same distinct URLs against a server with the page cache off (every view renders).
MODES: tuple[str, ...] = ("hit", "distinct", "cold")
BENCH_MARKET = "en-gb"
SEARCH_WORD = "iphone"
CATEGORY_SLUG = "smartphones"
SERVER_HOSTS = ("127.0.0.1", "localhost")
STARTUP_TIMEOUT_S = 90.0  # a busy shared machine starts gunicorn slowly; a healthy one answers in ~2 s
STOP_GRACE_S = 5.0
WRK_EXTRA_TIMEOUT_S = 30
WRK_REQUEST_TIMEOUT_S = 10


class BenchError(Exception):
    """The benchmark cannot run or its tools failed; the message tells the operator what to do."""


# --- wrk's report -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


# wrk prints times with the largest unit that keeps the number >= 1 (format_time in wrk's units.c).
_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(?P<pct>50|99)(?:\.0+)?%\s+(?P<value>[\d.]+)(?P<unit>us|ms|s|m|h)\s*$", re.MULTILINE)
_REQUESTS_PER_S = re.compile(r"^Requests/sec:\s+(?P<value>[\d.]+)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(?P<value>\d+) requests in ", re.MULTILINE)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(?P<value>\d+)\s*$", re.MULTILINE)
_SOCKET_ERRORS = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.MULTILINE
)


def time_to_ms(value: str, unit: str) -> float:
    """A wrk time (``"1.31"``, ``"ms"``) in milliseconds."""
    return float(value) * _TIME_UNITS_MS[unit]


def parse_wrk_output(text: str) -> WrkResult:
    """Read the figures the protocol reports from the text ``wrk --latency`` prints."""
    rps = _REQUESTS_PER_S.search(text)
    requests = _REQUESTS.search(text)
    percentiles = {m["pct"]: time_to_ms(m["value"], m["unit"]) for m in _PERCENTILE.finditer(text)}
    if rps is None or requests is None or set(percentiles) != {"50", "99"}:
        raise BenchError(f"unrecognised wrk output (was --latency passed?):\n{text}")
    non_2xx = _NON_2XX.search(text)
    socket_errors = _SOCKET_ERRORS.search(text)
    return WrkResult(
        requests=int(requests["value"]),
        requests_per_s=float(rps["value"]),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        non_2xx=int(non_2xx["value"]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def require_wrk() -> str:
    """The path of ``wrk``, or a BenchError saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise BenchError("wrk is not installed: apt-get install wrk (Debian's package, /usr/bin/wrk)")
    return path


def wrk_argv(
    wrk: str,
    url: str,
    *,
    threads: int,
    connections: int,
    duration_s: int,
    latency: bool,
    script: Path | None = None,
    url_file: Path | None = None,
) -> list[str]:
    """wrk's command line; with ``script`` and ``url_file`` it requests the file's paths (``bench_urls``)."""
    # wrk's default timeout (2 s) drops a slow cold render as a socket error: it is measured instead
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", f"--timeout={WRK_REQUEST_TIMEOUT_S}s"]
    if latency:
        argv.append("--latency")
    if script is not None and url_file is not None:
        return [*argv, "-s", str(script), url, "--", str(url_file)]
    return [*argv, url]


def _run_wrk_process(argv: list[str], *, duration_s: int) -> str:
    timeout = duration_s + WRK_EXTRA_TIMEOUT_S
    try:
        completed = subprocess.run(  # noqa: S603  # argv is wrk's resolved path, integers and our own URL; no shell
            argv, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{' '.join(argv)} did not finish within {timeout} s") from exc
    if completed.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return completed.stdout


def warm_up(wrk: str, url: str, *, threads: int, connections: int, duration_s: int) -> None:
    """Load ``url`` without measuring: fills the workers' caches and opens their database connections."""
    argv = wrk_argv(wrk, url, threads=threads, connections=connections, duration_s=duration_s, latency=False)
    _run_wrk_process(argv, duration_s=duration_s)


def measure(
    wrk: str,
    url: str,
    *,
    threads: int,
    connections: int,
    duration_s: int,
    script: Path | None = None,
    url_file: Path | None = None,
) -> WrkResult:
    argv = wrk_argv(
        wrk,
        url,
        threads=threads,
        connections=connections,
        duration_s=duration_s,
        latency=True,
        script=script,
        url_file=url_file,
    )
    return parse_wrk_output(_run_wrk_process(argv, duration_s=duration_s))


# --- Ratios, targets and the report -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A target of BENCHMARKS.md: a minimum share of the floor's req/s and, for some pages, a p99 ceiling."""

    min_ratio_pct: float
    max_p99_ms: float | None = None

    def describe(self) -> str:
        p99 = f", p99 ≤ {self.max_p99_ms:g} ms" if self.max_p99_ms is not None else ""
        return f"≥ {self.min_ratio_pct:g}%{p99}"


TARGETS: dict[str, Target | None] = {
    "product": Target(min_ratio_pct=23.0, max_p99_ms=30.0),
    "category": Target(min_ratio_pct=13.0),
    "search": Target(min_ratio_pct=7.0),
    "api": None,  # BENCHMARKS.md states no target for the buy-box endpoint
    "floor": None,
}


def ratio_to_floor(requests_per_s: float, floor_requests_per_s: float | None) -> float | None:
    """``requests_per_s`` as a percentage of the floor's, to one decimal; None without a floor to compare."""
    if floor_requests_per_s is None or floor_requests_per_s <= 0:
        return None
    return round(100 * requests_per_s / floor_requests_per_s, 1)


@dataclass(frozen=True)
class QueryCount:
    """One in-process GET: its status and how many queries it ran."""

    status: int
    queries: int


@dataclass(frozen=True)
class ScenarioResult:
    scenario: str
    url: str
    wrk: WrkResult
    queries_per_request: int | None
    ratio_to_floor: float | None
    mode: str = "hit"
    distinct_urls: int | None = None

    @property
    def label(self) -> str:
        return run_label(self.scenario, self.mode)

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "mode": self.mode,
            "url": self.url,
            "distinct_urls": self.distinct_urls,
            "requests_per_s": self.wrk.requests_per_s,
            "p50_ms": self.wrk.p50_ms,
            "p99_ms": self.wrk.p99_ms,
            "non_2xx": self.wrk.non_2xx,
            "socket_errors": self.wrk.socket_errors,
            "queries_per_request": self.queries_per_request,
            "ratio_to_floor": self.ratio_to_floor,
        }


def run_label(scenario: str, mode: str) -> str:
    """How a run is named in the report and the query counts: ``product``, ``product distinct``, ``product cold``."""
    return scenario if mode == "hit" else f"{scenario} {mode}"


def with_ratios(
    measured: Sequence[tuple[str, str, WrkResult]] | Sequence[tuple[str, str, WrkResult, str, int | None]],
    queries: Mapping[str, QueryCount],
) -> list[ScenarioResult]:
    """One pass's results, each with its ratio to the floor of the same pass.

    Each measured run is (scenario, url, result) or (scenario, url, result, mode, distinct URLs)."""
    floor = next((row[2].requests_per_s for row in measured if row[0] == "floor"), None)
    results = []
    for row in measured:
        scenario, url, result = row[0], row[1], row[2]
        mode, distinct = (row[3], row[4]) if len(row) > 3 else ("hit", None)
        label = run_label(scenario, mode)
        results.append(
            ScenarioResult(
                scenario=scenario,
                url=url,
                wrk=result,
                queries_per_request=queries[label].queries if label in queries else None,
                ratio_to_floor=ratio_to_floor(result.requests_per_s, floor),
                mode=mode,
                distinct_urls=distinct,
            )
        )
    return results


def ratio_target_status(scenario: str, ratio: float | None) -> str:
    """The target cell: what BENCHMARKS.md asks of the scenario's ratio and whether this pass met it."""
    target = TARGETS.get(scenario)
    if target is None:
        return "—"
    label = f"≥ {target.min_ratio_pct:g}%"
    if ratio is None:
        return f"{label} (no floor)"
    return f"{label} ({'met' if ratio >= target.min_ratio_pct else 'missed'})"


def _optional(value: float | int | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def render_table(results: Sequence[ScenarioResult]) -> str:
    """One pass as a Markdown table, ready to paste into an issue note."""
    header = ["scenario", "req/s", "p50 ms", "p99 ms", "non-2xx", "queries/req", "ratio to floor", "target"]
    rows = [
        [
            r.label,
            f"{r.wrk.requests_per_s:.1f}",
            f"{r.wrk.p50_ms:.2f}",
            f"{r.wrk.p99_ms:.2f}",
            str(r.wrk.non_2xx),
            _optional(r.queries_per_request, "d"),
            "—" if r.ratio_to_floor is None else f"{r.ratio_to_floor:.1f}%",
            ratio_target_status(r.scenario, r.ratio_to_floor),
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.ljust(w) if i == 0 or i == len(cells) - 1 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(("-" * (w + 1) + ":") if 0 < i < len(widths) - 1 else "-" * (w + 2) for i, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def product_p99_verdict(results: Sequence[ScenarioResult]) -> str | None:
    """Whether the product page met its p99 ceiling in this pass, per mode (None when the pass has no product page)."""
    target = TARGETS["product"]
    products = [r for r in results if r.scenario == "product"]
    if not products or target is None or target.max_p99_ms is None:
        return None
    verdicts = [
        f"{r.mode} {'yes' if r.wrk.p99_ms <= target.max_p99_ms else 'no'} ({r.wrk.p99_ms:.2f} ms)" for r in products
    ]
    if len(products) == 1 and products[0].mode == "hit":
        met = products[0].wrk.p99_ms <= target.max_p99_ms
        return (
            f"Product page p99 ≤ {target.max_p99_ms:g} ms: {'yes' if met else 'no'} ({products[0].wrk.p99_ms:.2f} ms)"
        )
    return f"Product page p99 ≤ {target.max_p99_ms:g} ms: " + ", ".join(verdicts)


def _cell(result: ScenarioResult | None) -> str:
    if result is None:
        return "—"
    ratio = "—" if result.ratio_to_floor is None else f"{result.ratio_to_floor:.1f}%"
    return f"{result.wrk.requests_per_s:.0f} req/s, {ratio}, p99 {result.wrk.p99_ms:.0f} ms"


def render_side_by_side(results: Sequence[ScenarioResult]) -> str | None:
    """Hit, distinct-URL and cold figures of each page next to each other, with the ratios to the floor and the
    target (None when the pass measured only one URL per page)."""
    pages = [p for p in PAGES if any(r.scenario == p for r in results)]
    if not pages or all(r.mode == "hit" for r in results):
        return None
    header = "| page | hit (one URL) | distinct URLs | cold (page cache off) | target | queries hit / distinct / cold |"
    lines = [header, "|---|---|---|---|---|---|"]
    for page in pages:
        by_mode = {r.mode: r for r in results if r.scenario == page}
        queries = " / ".join(_optional(by_mode[m].queries_per_request if m in by_mode else None, "d") for m in MODES)
        target = TARGETS.get(page)
        lines.append(
            f"| {page} | {' | '.join(_cell(by_mode.get(m)) for m in MODES)} | "
            f"{target.describe() if target else '—'} | {queries} |"
        )
    return "\n".join(lines)


def error_notes(results: Sequence[ScenarioResult], queries: Mapping[str, QueryCount]) -> list[str]:
    """A line for every scenario that answered with errors: its req/s do not measure the page it names."""
    notes = []
    for r in results:
        problems = []
        if r.wrk.non_2xx:
            problems.append(f"{r.wrk.non_2xx} of {r.wrk.requests} responses were not 2xx/3xx")
        if r.wrk.socket_errors:
            problems.append(f"{r.wrk.socket_errors} socket errors")
        count = queries.get(r.label)
        if count is not None and not 200 <= count.status < 400:
            problems.append(f"the in-process GET answered {count.status}")
        if problems:
            notes.append(f"{r.label} ({r.url}): {'; '.join(problems)}: its figures do not measure a working page.")
    return notes


def targets_json() -> dict[str, Any]:
    return {
        scenario: None
        if target is None
        else {"min_ratio_to_floor_pct": target.min_ratio_pct, "max_p99_ms": target.max_p99_ms}
        for scenario, target in TARGETS.items()
    }


@dataclass(frozen=True)
class LoadConfig:
    threads: int
    connections: int
    duration_s: int
    warmup_s: int
    passes: int

    def describe(self) -> str:
        return (
            f"wrk -t{self.threads} -c{self.connections} -d{self.duration_s}s --latency after a {self.warmup_s} s "
            f"warm-up of the same URL, {self.passes} pass(es)"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "connections": self.connections,
            "duration_s": self.duration_s,
            "warmup_s": self.warmup_s,
            "passes": self.passes,
            "latency": True,
        }


def report_json(
    *,
    database: str,
    size: str,
    seeded: bool,
    server: str,
    load: LoadConfig,
    passes: Sequence[Sequence[ScenarioResult]],
    data: Mapping[str, int],
    generated_at: dt.datetime,
) -> dict[str, Any]:
    return {
        "database": database,
        "size": size,
        "seeded": seeded,
        "data": dict(data),
        "server": server,
        "wrk": load.as_json(),
        "passes": [[r.as_json() for r in results] for results in passes],
        "targets": targets_json(),
        "generated_at": generated_at.isoformat(),
    }


def default_json_path(var_dir: Path, *, size: str, vendor: str, at: dt.datetime) -> Path:
    return var_dir / "bench" / f"bench-{size}-{vendor}-{at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.json"


# --- The database -------------------------------------------------------------------------------------


def unapplied_migrations(conn: BaseDatabaseWrapper = connection) -> list[str]:
    executor = MigrationExecutor(conn)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def describe_database(conn: BaseDatabaseWrapper = connection) -> str:
    """The database as the report names it; for SQLite, the journal mode actually in force."""
    if conn.vendor == "sqlite":
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = str(cursor.fetchone()[0]).upper()
        return f"SQLite ({mode})"
    if conn.vendor == "postgresql":
        version = int(getattr(conn, "pg_version", 0))
        return f"PostgreSQL {version // 10000}.{version % 10000}" if version else "PostgreSQL"
    return conn.display_name


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A DATABASE_URL naming the database ``settings_dict`` is connected to, for the server process.

    Built from the live connection's settings (not settings.DATABASES) so that under pytest-django the server
    sees the test database. A SQLite path is made absolute because the server runs from another directory.
    """
    engine = str(settings_dict["ENGINE"])
    name = str(settings_dict.get("NAME") or "")
    if engine == "django.db.backends.sqlite3":
        if not name or name == ":memory:" or name.startswith("file:"):
            raise BenchError(f"SQLite database {name!r} is not a file that another process can open")
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(str(settings_dict.get("USER") or ""), safe="")
        password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
        host = str(settings_dict.get("HOST") or "")
        port = str(settings_dict.get("PORT") or "")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        netloc = credentials + (f"[{host}]" if ":" in host else quote(host, safe="")) + (f":{port}" if port else "")
        return f"postgres://{netloc}/{quote(name, safe='')}"
    raise BenchError(f"reloop bench supports SQLite and PostgreSQL, not {engine}")


def refresh_statistics(conn: BaseDatabaseWrapper = connection) -> bool:
    """PostgreSQL: ``ANALYZE`` the site's tables before measuring; True when it ran.

    A freshly seeded database has no planner statistics until autovacuum gets to it (and never on a server running
    with ``autovacuum = off``): PostgreSQL then guesses a few dozen rows per table and picks plans that read every
    reference price of a market for each model of a category page (131 ms for one page's query instead of 25 ms,
    docs/benchmarks.md). Production databases have autovacuum on; the bench measures them, not a missing ANALYZE.
    """
    return analyze_if_postgres(conn)


def data_counts() -> dict[str, int]:
    """The amount of data behind the figures, so runs of different sizes are not compared by mistake."""
    return {
        "product_models": ProductModel.objects.count(),
        "variants": Variant.objects.count(),
        "offers": Offer.objects.count(),
        f"buy_boxes_{BENCH_MARKET}": BuyBoxSnapshot.objects.filter(market=BENCH_MARKET).count(),
    }


# --- The URLs and their queries ------------------------------------------------------------------------


def benchmark_variant(market: str = BENCH_MARKET) -> Variant | None:
    """The variant with the most buy boxes in ``market`` (ties: the lowest id); before offers exist, the
    first model's first variant."""
    top = (
        BuyBoxSnapshot.objects.filter(market=market)
        .values("variant")
        .annotate(buy_boxes=Count("id"))
        .order_by("-buy_boxes", "variant")
        .first()
    )
    if top is not None:
        return Variant.objects.select_related("product_model").get(pk=top["variant"])
    product_model = ProductModel.objects.first()
    if product_model is None:
        return None
    return Variant.objects.select_related("product_model").filter(product_model=product_model).first()


def select_urls(scenarios: Sequence[str], *, market: str = BENCH_MARKET) -> dict[str, str]:
    """The path each scenario loads, chosen from the data now in the database, in the order given."""
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        raise BenchError(f"unknown scenario {unknown[0]!r}: choose from {', '.join(SCENARIOS)}")
    paths = {"category": f"/{market}/c/{CATEGORY_SLUG}/", "floor": "/healthz"}
    if "search" in scenarios:
        with translation.override(market):
            paths["search"] = f"{reverse('web:search')}?q={SEARCH_WORD}"
    if {"product", "api"} & set(scenarios):
        variant = benchmark_variant(market)
        if variant is None:
            raise BenchError("no product in the database: run `reloop seed --size medium` or drop --skip-seed")
        paths["product"] = f"/{market}/p/{variant.product_model.slug}/{variant.slug}/"
        paths["api"] = f"/api/v1/catalog/variants/{variant.pk}/buybox?market={market}"
    return {scenario: paths[scenario] for scenario in scenarios}


@contextlib.contextmanager
def _quiet_client_errors() -> Iterator[None]:
    """Silence django.request's warning for a 4xx: the report states every status; a 5xx is still logged."""
    logger = logging.getLogger("django.request")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def count_queries(path: str, *, page_cache: bool = True) -> QueryCount:
    """The queries one anonymous GET of ``path`` runs in this process, after one warm GET.

    The warm GET fills per-process caches (category tree, translations, content types) as the load run's
    warm-up does; cookies are then dropped because wrk sends none. ``page_cache=False`` counts a cold view
    (``RELOOP_PAGE_CACHE=false``: every body renders; the navigation and footer fragments stay cached).
    """
    client = Client(HTTP_HOST=SERVER_HOSTS[0], raise_request_exception=False)
    no_cache = {} if page_cache else {"RELOOP_PAGE_CACHE": False}
    with override_settings(ALLOWED_HOSTS=list(SERVER_HOSTS), **no_cache), _quiet_client_errors():
        client.get(path)
        client.cookies.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    return QueryCount(status=response.status_code, queries=len(captured.captured_queries))


def count_queries_sample(paths: Sequence[str], *, sample: int = 10) -> QueryCount:
    """The most queries any of the first ``sample`` paths runs on its first view (a page-cache miss), with the
    first status that is not 2xx/3xx, if any: the distinct-URL run's query count."""
    client = Client(HTTP_HOST=SERVER_HOSTS[0], raise_request_exception=False)
    worst, status = 0, 200
    with override_settings(ALLOWED_HOSTS=list(SERVER_HOSTS)), _quiet_client_errors():
        client.get(paths[0])  # warms the per-process caches, as the warm-up does
        for path in paths[1 : sample + 1]:
            client.cookies.clear()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            worst = max(worst, len(captured.captured_queries))
            if 200 <= status < 400 and not 200 <= response.status_code < 400:
                status = response.status_code
    return QueryCount(status=status, queries=worst)


# --- The server ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GunicornServer:
    process: subprocess.Popen[bytes]
    base_url: str
    description: str


def _gunicorn_has_option(flag: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS  # imported here: only serving needs gunicorn

    return any(flag in (setting.cli or ()) for setting in KNOWN_SETTINGS)


def gunicorn_argv(*, workers: int, port: int) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "reloop.wsgi",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",  # and no access log: writing one line per request slows the workers down
        "--graceful-timeout",
        "3",  # shorter than STOP_GRACE_S, so a normal stop never needs SIGKILL
    ]
    if _gunicorn_has_option("--no-control-socket"):
        # gunicorn >= 24 opens a control socket at a fixed path in $HOME; two benches would fight over it.
        argv.append("--no-control-socket")
    return argv


def serve_argv(*, workers: int, port: int) -> list[str]:
    """``reloop serve`` itself (gunicorn with its production options) on 127.0.0.1:``port``."""
    return [sys.executable, "-m", "reloop", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]


def server_environment(
    *,
    db_url: str,
    base_dir: Path,
    base: Mapping[str, str] | None = None,
    page_cache: bool = True,
    secret_key: str | None = None,
) -> dict[str, str]:
    """The production-like settings of the server process (see reloop/settings.py); ``page_cache=False`` serves
    every page cold (``RELOOP_PAGE_CACHE=false``: every page body renders, as right after a seller's feed purged
    it; the navigation and footer fragments, which no feed changes, stay cached)."""
    env = dict(os.environ if base is None else base)
    if not page_cache:
        env["RELOOP_PAGE_CACHE"] = "false"
    env.update(
        {
            "DEBUG": "false",
            # a throwaway key (nothing signed outlives the run), or the caller's when it signs sessions for the server
            "SECRET_KEY": secret_key or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": ",".join(SERVER_HOSTS),
            "DATABASE_URL": db_url,
            "CONN_MAX_AGE": "600",
            "RELOOP_HOME": str(base_dir),
            "DJANGO_SETTINGS_MODULE": "reloop.settings",
        }
    )
    return env


def ensure_port_free(port: int) -> None:
    """Refuse a busy port: otherwise wrk could measure whatever already listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is no conflict
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise BenchError(
                f"port {port} on 127.0.0.1 is in use ({exc.strerror}): choose another with --port"
            ) from exc


def healthz_status(port: int, *, timeout: float = 2.0) -> int | None:
    """The status of GET /healthz, or None while nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers={"Host": f"127.0.0.1:{port}"})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


def _read_log(log: Any) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace").strip() or "(gunicorn wrote nothing to stderr)"


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Any, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}) before serving /healthz:\n{_read_log(log)}")
        status = healthz_status(port)
        if status == 200:
            return
        if status is not None:
            raise BenchError(f"gunicorn answered /healthz with {status}, not 200:\n{_read_log(log)}")
        if time.monotonic() > deadline:
            raise BenchError(f"gunicorn did not answer /healthz within {timeout:g} s:\n{_read_log(log)}")
        time.sleep(0.2)


def stop_process_group(process: subprocess.Popen[bytes], *, grace: float = STOP_GRACE_S) -> None:
    """Stop gunicorn: SIGTERM to the master (a graceful stop of its workers), then SIGKILL to its whole
    process group if it is still there after ``grace`` seconds or left workers behind."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)
    # Then wait until the group is empty: a killed worker stays in it until it is reaped (by init, its master
    # gone), which a loaded machine can take a moment to do.
    deadline = time.monotonic() + grace
    while True:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return  # every process of the group has exited
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)


@contextlib.contextmanager
def gunicorn_server(
    *,
    workers: int,
    port: int,
    db_url: str,
    base_dir: Path,
    startup_timeout: float = STARTUP_TIMEOUT_S,
    page_cache: bool = True,
    serve: bool = False,
    secret_key: str | None = None,
) -> Iterator[GunicornServer]:
    """Serve the site with gunicorn on 127.0.0.1:``port`` until the block exits, however it exits; ``serve=True``
    starts it through ``reloop serve`` (the production command and its gunicorn options)."""
    ensure_port_free(port)
    argv = serve_argv(workers=workers, port=port) if serve else gunicorn_argv(workers=workers, port=port)
    env = server_environment(db_url=db_url, base_dir=base_dir, page_cache=page_cache, secret_key=secret_key)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603  # argv is this interpreter, fixed options and integers; no shell
            argv,
            env=env,
            cwd=base_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group, so it can be killed whole and Ctrl+C reaches us only
        )
        try:
            wait_until_healthy(process, port, log, timeout=startup_timeout)
            yield GunicornServer(
                process=process,
                base_url=f"http://127.0.0.1:{port}",
                description=("reloop serve: " if serve else "")
                + f"gunicorn, {workers} sync workers, persistent connections (CONN_MAX_AGE=600)"
                + ("" if page_cache else ", page cache off"),
            )
        finally:
            stop_process_group(process)


@contextlib.contextmanager
def sigterm_raises_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt while the block runs, so ``finally`` clauses stop the server."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- The load run --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One measured load: a scenario in a mode, on one URL (``path``) or over the paths of ``url_file``.

    Distinct and cold runs warm up on the scenario's single URL (``path``), so their own list starts unvisited."""

    scenario: str
    mode: str
    path: str
    url_file: Path | None = None
    distinct_urls: int | None = None

    @property
    def label(self) -> str:
        return run_label(self.scenario, self.mode)

    @property
    def cold(self) -> bool:
        return self.mode == "cold"


def plan_runs(urls: Mapping[str, str], modes: Sequence[str], url_files: Mapping[str, tuple[Path, int]]) -> list[Run]:
    """Each page in every chosen mode (hit, distinct, cold), then the other scenarios (api, floor) once."""
    runs = []
    for scenario, path in urls.items():
        if scenario not in PAGES:
            runs.append(Run(scenario, "hit", path))
            continue
        for mode in modes:
            if mode == "hit":
                runs.append(Run(scenario, mode, path))
            elif scenario in url_files:
                url_file, count = url_files[scenario]
                runs.append(Run(scenario, mode, path, url_file, count))
    return runs


def run_passes(
    *,
    wrk: str,
    base_url: str,
    urls: Mapping[str, str] | None = None,
    queries: Mapping[str, QueryCount],
    load: LoadConfig,
    progress: Callable[[str], None],
    runs: Sequence[Run] | None = None,
    cold_base_url: str | None = None,
    script: Path | None = None,
) -> list[list[ScenarioResult]]:
    """Every pass loads every run in turn (A B C floor, A B C floor), each after its own warm-up.

    Cold runs go to ``cold_base_url`` (a server with the page cache off); distinct and cold runs play their URL
    list with ``script``."""
    if runs is None:
        runs = [Run(scenario, "hit", path) for scenario, path in (urls or {}).items()]
    passes = []
    for number in range(1, load.passes + 1):
        measured: list[tuple[str, str, WrkResult, str, int | None]] = []
        for run in runs:
            base = cold_base_url if run.cold and cold_base_url else base_url
            single = base + run.path
            warm_up(wrk, single, threads=load.threads, connections=load.connections, duration_s=load.warmup_s)
            if run.url_file is not None:
                result = measure(
                    wrk,
                    base + "/",
                    threads=load.threads,
                    connections=load.connections,
                    duration_s=load.duration_s,
                    script=script,
                    url_file=run.url_file,
                )
                shown = f"{base}/ ({run.distinct_urls} URLs of {run.url_file.name})"
            else:
                result = measure(
                    wrk, single, threads=load.threads, connections=load.connections, duration_s=load.duration_s
                )
                shown = single
            progress(
                f"pass {number}/{load.passes} {run.label}: {result.requests_per_s:.1f} req/s, "
                f"p99 {result.p99_ms:.2f} ms, {result.non_2xx} non-2xx"
            )
            measured.append((run.scenario, shown, result, run.mode, run.distinct_urls))
        passes.append(with_ratios(measured, queries))
    return passes
