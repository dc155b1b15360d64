from __future__ import annotations

import argparse
import contextlib
import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from reloop.core.clock import now
from reloop.ops import bench, bench_urls, flash_sale_http
from reloop.ops.flash_sale import run_flash_sale
from reloop.ops.ingest_bench import IngestBenchError, run_ingest
from reloop.ops.seeding import SIZES


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive integer")
    return number


def _scenarios(value: str) -> list[str]:
    chosen = [s.strip() for s in value.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(bench.SCENARIOS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"{value!r}: choose a comma-separated list from {','.join(bench.SCENARIOS)}")
    # The protocol takes scenarios in a fixed turn (A B C floor), whatever order they were listed in.
    return [s for s in bench.SCENARIOS if s in chosen]


def _modes(value: str) -> list[str]:
    chosen = [m.strip() for m in value.split(",") if m.strip()]
    unknown = sorted(set(chosen) - set(bench.MODES))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"{value!r}: choose a comma-separated list from {','.join(bench.MODES)}")
    return [m for m in bench.MODES if m in chosen]


class Command(BaseCommand):
    help = "Benchmark the storefront with wrk against gunicorn (protocol: docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=SIZES, default="medium", help="Data to seed (default: medium)")
        parser.add_argument("--duration", type=_positive, default=20, help="Seconds of each measured run")
        parser.add_argument("--warmup", type=_positive, default=3, help="Seconds of the warm-up before each run")
        parser.add_argument("--connections", type=_positive, default=8)
        parser.add_argument("--threads", type=_positive, default=1)
        parser.add_argument("--passes", type=_positive, default=2)
        parser.add_argument("--workers", type=_positive, default=2, help="gunicorn sync workers")
        parser.add_argument("--port", type=_positive, default=8765)
        parser.add_argument(
            "--json", dest="json_path", type=Path, default=None, help="Report file (default: var/bench/…)"
        )
        parser.add_argument("--skip-seed", action="store_true", help="Use the data already in the database")
        parser.add_argument(
            "--modes",
            type=_modes,
            default=list(bench.MODES),
            help="Page runs: hit (one URL), distinct (many URLs in random order), cold (the same, page cache off); "
            f"comma-separated from {','.join(bench.MODES)} (default: all)",
        )
        parser.add_argument(
            "--distinct-urls",
            type=_positive,
            default=bench_urls.DEFAULT_COUNT,
            help=f"URLs in each page's list for the distinct and cold runs (default {bench_urls.DEFAULT_COUNT:,})",
        )
        parser.add_argument(
            "--flash-sale",
            action="store_true",
            help="Run the flash-sale scenario instead of the HTTP ones: concurrent checkouts on a few hot offers",
        )
        parser.add_argument(
            "--flash-sale-http",
            action="store_true",
            help="Run the flash sale over HTTP instead: signed-in buyers adding a hot offer and paying through the "
            "test provider's pages, against `reloop serve` on 127.0.0.1 (--workers processes, --connections buyers "
            "at a time, at most --buyers buyers and --duration seconds)",
        )
        parser.add_argument(
            "--flash-sale-cpu",
            type=int,
            default=0,
            metavar="PURCHASES",
            help="Measure instead the CPU time of this process per request of a flash-sale purchase, over this many "
            "purchases through Django's test client (the work after payment included; PostgreSQL's CPU not)",
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=0,
            help="Flash sale over HTTP with CELERY_BROKER_URL set: processes of the `reloop worker` started for the "
            "run (default: one per core)",
        )
        parser.add_argument(
            "--ingest",
            action="store_true",
            help="Run the ingestion scenario instead: a 15,000-line CSV import and 100,000 bulk price/stock updates",
        )
        parser.add_argument("--csv-lines", type=_positive, default=15_000, help="Ingest: lines of the CSV file")
        parser.add_argument("--bulk-rows", type=_positive, default=100_000, help="Ingest: bulk updates")
        parser.add_argument(
            "--http-rows", type=int, default=100_000, help="Ingest: updates through the API bulk endpoint (0: skip)"
        )
        parser.add_argument("--buyers", type=_positive, default=3000, help="Flash sale: buyers queued (default 3000)")
        parser.add_argument(
            "--units", type=_positive, default=300, help="Flash sale: units of each of the 3 hot offers (default 300)"
        )
        parser.add_argument(
            "--scenarios",
            type=_scenarios,
            default=list(bench.SCENARIOS),
            help=f"Comma-separated, from {','.join(bench.SCENARIOS)} (default: all)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with bench.sigterm_raises_interrupt():
                self._run(**options)
        except bench.BenchError as exc:
            raise CommandError(str(exc)) from exc

    def _run(
        self,
        *,
        size: str,
        duration: int,
        warmup: int,
        connections: int,
        threads: int,
        passes: int,
        workers: int,
        port: int,
        json_path: Path | None,
        skip_seed: bool,
        scenarios: list[str],
        modes: list[str] | None = None,
        distinct_urls: int = bench_urls.DEFAULT_COUNT,
        **options: Any,
    ) -> None:
        if options.get("ingest"):
            self._ingest(size=size, skip_seed=skip_seed, json_path=json_path, **options)
            return
        if options.get("flash_sale"):
            self._flash_sale(size=size, skip_seed=skip_seed, duration=duration, json_path=json_path, **options)
            return
        if options.get("flash_sale_cpu"):
            self._flash_sale_cpu(size=size, skip_seed=skip_seed, purchases=options["flash_sale_cpu"])
            return
        if options.get("flash_sale_http"):
            self._flash_sale_http(
                size=size,
                skip_seed=skip_seed,
                duration=duration,
                json_path=json_path,
                workers=workers,
                port=port,
                connections=connections,
                **options,
            )
            return
        if threads > connections:
            raise CommandError("--threads cannot exceed --connections (wrk gives each thread its own connections)")
        wrk = bench.require_wrk()
        missing = bench.unapplied_migrations()
        if missing:
            raise CommandError(f"the database has unapplied migrations ({', '.join(missing)}): run `reloop migrate`")
        if not skip_seed:
            call_command("seed", size=size, stdout=self.stdout, stderr=self.stderr)
        if bench.refresh_statistics():
            self.stdout.write("Planner statistics refreshed (ANALYZE)")
        modes = modes if modes is not None else list(bench.MODES)
        urls = bench.select_urls(scenarios)
        queries = {scenario: bench.count_queries(path) for scenario, path in urls.items()}
        load = bench.LoadConfig(threads, connections, duration, warmup, passes)
        database = bench.describe_database()
        data = bench.data_counts()
        db_url = bench.database_url(connection.settings_dict)
        lists_dir = Path(settings.VAR_DIR) / "bench"
        lists_dir.mkdir(parents=True, exist_ok=True)
        url_files: dict[str, tuple[Path, int]] = {}
        if set(modes) - {"hit"}:
            for scenario in (s for s in urls if s in bench.PAGES):
                listed = bench_urls.URL_LISTS[scenario](distinct_urls)
                if not listed:
                    continue
                url_files[scenario] = (bench_urls.write_url_list(lists_dir, scenario, listed), len(listed))
                if "distinct" in modes:
                    queries[bench.run_label(scenario, "distinct")] = bench.count_queries_sample(listed)
                if "cold" in modes:
                    queries[bench.run_label(scenario, "cold")] = bench.count_queries(urls[scenario], page_cache=False)
            self.stdout.write("URL lists: " + ", ".join(f"{n:,} {s} URLs ({p})" for s, (p, n) in url_files.items()))
        script = bench_urls.write_script(lists_dir)
        runs = bench.plan_runs(urls, modes, url_files)
        need_cold = any(run.cold for run in runs)

        with contextlib.ExitStack() as servers:
            server = servers.enter_context(
                bench.gunicorn_server(workers=workers, port=port, db_url=db_url, base_dir=settings.BASE_DIR)
            )
            self.stdout.write(f"Serving with {server.description} on {server.base_url}")
            cold_base_url = None
            if need_cold:
                cold = servers.enter_context(
                    bench.gunicorn_server(
                        workers=workers, port=port + 1, db_url=db_url, base_dir=settings.BASE_DIR, page_cache=False
                    )
                )
                cold_base_url = cold.base_url
                self.stdout.write(f"Cold runs: {cold.description} on {cold.base_url}")
            results = bench.run_passes(
                wrk=wrk,
                base_url=server.base_url,
                queries=queries,
                load=load,
                progress=self.stdout.write,
                runs=runs,
                cold_base_url=cold_base_url,
                script=script,
            )

        self.stdout.write("")
        self.stdout.write(f"Database: {database}")
        self.stdout.write(f"Size: {size}{'' if not skip_seed else ' (not re-seeded: --skip-seed)'}")
        self.stdout.write("Data: " + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in data.items()))
        self.stdout.write(f"Server: {server.description}")
        self.stdout.write(f"Load: {load.describe()}")
        for number, pass_results in enumerate(results, start=1):
            self.stdout.write(f"\nPass {number} of {len(results)}")
            self.stdout.write(bench.render_table(pass_results))
            side_by_side = bench.render_side_by_side(pass_results)
            if side_by_side:
                self.stdout.write("\nHit, distinct URLs and cold, side by side:")
                self.stdout.write(side_by_side)
            verdict = bench.product_p99_verdict(pass_results)
            if verdict:
                self.stdout.write(verdict)
            for note in bench.error_notes(pass_results, queries):
                self.stdout.write(self.style.WARNING(note))

        generated_at = now()
        path = json_path or bench.default_json_path(
            Path(settings.VAR_DIR), size=size, vendor=connection.vendor, at=generated_at
        )
        report = bench.report_json(
            database=database,
            size=size,
            seeded=not skip_seed,
            server=server.description,
            load=load,
            passes=results,
            data=data,
            generated_at=generated_at,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(self.style.SUCCESS(f"\nReport written to {path}"))

    def _flash_sale(
        self,
        *,
        size: str,
        skip_seed: bool,
        duration: int,
        json_path: Path | None,
        buyers: int,
        units: int,
        **options: Any,
    ) -> None:
        missing = bench.unapplied_migrations()
        if missing:
            raise CommandError(f"the database has unapplied migrations ({', '.join(missing)}): run `reloop migrate`")
        if not skip_seed:
            call_command("seed", size=size, stdout=self.stdout, stderr=self.stderr)
        threads = options.get("connections") or 8
        self.stdout.write(
            f"Flash sale on {bench.describe_database()}: {buyers} buyers, {threads} threads, ≤ {duration} s"
        )
        result = run_flash_sale(units_per_offer=units, buyers=buyers, threads=threads, seconds=duration)
        self.stdout.write(result.render())
        generated_at = now()
        path = json_path or Path(settings.VAR_DIR) / "bench" / (
            f"flash-sale-{connection.vendor}-{generated_at.strftime('%Y%m%dT%H%M%SZ')}.json"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {"scenario": "flash_sale", "database": bench.describe_database(), **result.as_dict()}
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(self.style.SUCCESS(f"Report written to {path}"))
        if result.oversold or result.errors or not result.ledger_ok:
            raise CommandError("the flash sale oversold, failed or unbalanced the ledger: see above")

    def _flash_sale_cpu(self, *, size: str, skip_seed: bool, purchases: int) -> None:
        missing = bench.unapplied_migrations()
        if missing:
            raise CommandError(f"the database has unapplied migrations ({', '.join(missing)}): run `reloop migrate`")
        if not skip_seed:
            call_command("seed", size=size, stdout=self.stdout, stderr=self.stderr)
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]  # Django's test client's host
        with override_settings(ALLOWED_HOSTS=hosts, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            result = flash_sale_http.cpu_per_purchase(purchases=purchases)
        self.stdout.write(f"Database: {bench.describe_database()}")
        self.stdout.write(result.render())

    def _flash_sale_http(
        self,
        *,
        size: str,
        skip_seed: bool,
        duration: int,
        json_path: Path | None,
        workers: int,
        port: int,
        connections: int,
        buyers: int,
        units: int,
        task_workers: int = 0,
        **options: Any,
    ) -> None:
        missing = bench.unapplied_migrations()
        if missing:
            raise CommandError(f"the database has unapplied migrations ({', '.join(missing)}): run `reloop migrate`")
        if not skip_seed:
            call_command("seed", size=size, stdout=self.stdout, stderr=self.stderr)
        database = bench.describe_database()
        secret_key = secrets.token_urlsafe(50)  # the server's, for this run: the buyers' sessions are signed with it
        with override_settings(SECRET_KEY=secret_key):
            offers, queued = flash_sale_http.prepare(hot=3, units_per_offer=units, buyers=buyers)
        self.stdout.write(
            f"Flash sale over HTTP on {database}: {len(queued)} signed-in buyers, {connections} at a time, "
            f"≤ {duration} s"
        )
        db_url = bench.database_url(connection.settings_dict)
        with contextlib.ExitStack() as processes:
            server = processes.enter_context(
                bench.gunicorn_server(
                    workers=workers,
                    port=port,
                    db_url=db_url,
                    base_dir=settings.BASE_DIR,
                    serve=True,
                    secret_key=secret_key,
                )
            )
            self.stdout.write(f"Serving with {server.description} on {server.base_url}")
            topology = "in the web process, once each response is sent (no broker: ADR 0043)"
            if settings.CELERY_BROKER_URL:  # production's topology: a worker beside the server, for this run
                env = bench.server_environment(db_url=db_url, base_dir=settings.BASE_DIR, secret_key=secret_key)
                topology = processes.enter_context(
                    flash_sale_http.task_worker(env=env, base_dir=settings.BASE_DIR, concurrency=task_workers)
                )
            self.stdout.write(f"Work after payment: {topology}")
            result = flash_sale_http.run_http_flash_sale(
                port=port,
                server=server.description,
                workers=workers,
                offers=offers,
                buyers=queued,
                concurrency=connections,
                seconds=duration,
                topology=topology,
            )
        self.stdout.write(result.render())
        generated_at = now()
        path = json_path or Path(settings.VAR_DIR) / "bench" / (
            f"flash-sale-http-{connection.vendor}-{generated_at.strftime('%Y%m%dT%H%M%SZ')}.json"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {"scenario": "flash_sale_http", "database": database, **result.as_dict()}
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(self.style.SUCCESS(f"Report written to {path}"))
        if result.oversold or result.server_errors or not result.ledger_ok:
            raise CommandError("the flash sale oversold, answered with a server error or unbalanced the ledger")

    def _ingest(
        self,
        *,
        size: str,
        skip_seed: bool,
        json_path: Path | None,
        csv_lines: int,
        bulk_rows: int,
        http_rows: int,
        **options: Any,
    ) -> None:
        missing = bench.unapplied_migrations()
        if missing:
            raise CommandError(f"the database has unapplied migrations ({', '.join(missing)}): run `reloop migrate`")
        if not skip_seed:
            call_command("seed", size=size, stdout=self.stdout, stderr=self.stderr)
        try:
            result = run_ingest(
                csv_lines_count=csv_lines, bulk_rows=bulk_rows, http_rows=max(0, http_rows), progress=self.stdout.write
            )
        except IngestBenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.render())
        generated_at = now()
        path = json_path or Path(settings.VAR_DIR) / "bench" / (
            f"ingest-{connection.vendor}-{generated_at.strftime('%Y%m%dT%H%M%SZ')}.json"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(self.style.SUCCESS(f"Report written to {path}"))
