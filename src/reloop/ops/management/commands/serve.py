"""``reloop serve``: the production web server, gunicorn with Reloop's worker formula (docs/deploy.md)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def default_workers(cores: int | None = None) -> int:
    """2 × cores + 1 sync workers: a Reloop request spends about half its time waiting on PostgreSQL or Redis, so
    two per core keep the cores busy and the extra one covers a worker stuck on a slow request (docs/scaling.md)."""
    cores = cores or os.cpu_count() or 1
    return 2 * cores + 1


def gunicorn_argv(*, bind: str, workers: int, timeout: int, max_requests: int, access_log: bool) -> list[str]:
    from gunicorn.config import KNOWN_SETTINGS

    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "reloop.wsgi",
        f"--bind={bind}",
        f"--workers={workers}",
        "--worker-class=sync",
        f"--timeout={timeout}",
        "--graceful-timeout=20",
        f"--max-requests={max_requests}",
        f"--max-requests-jitter={max(1, max_requests // 10)}",
        "--forwarded-allow-ips=*",  # the TLS proxy in front sets X-Forwarded-*; bind the app to a private address
        "--config=python:reloop.ops.gunicorn_conf",
    ]
    if access_log:
        argv.append("--access-logfile=-")
    if any("--no-control-socket" in (s.cli or ()) for s in KNOWN_SETTINGS):
        argv.append("--no-control-socket")
    return argv


class Command(BaseCommand):
    help = "Serve the site with gunicorn: 2 × cores + 1 sync workers unless --workers or RELOOP_WEB_WORKERS says."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("RELOOP_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("RELOOP_WEB_WORKERS") or 0))
        parser.add_argument("--timeout", type=int, default=30, help="Seconds before a stuck worker is restarted")
        parser.add_argument("--max-requests", type=int, default=2000, help="Recycle a worker after this many")
        parser.add_argument("--access-log", action="store_true", help="One line per request on stdout")
        parser.add_argument("--print", action="store_true", help="Print the gunicorn command and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"] or default_workers()
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        argv = gunicorn_argv(
            bind=options["bind"],
            workers=workers,
            timeout=options["timeout"],
            max_requests=options["max_requests"],
            access_log=options["access_log"],
        )
        if options["print"]:
            self.stdout.write(" ".join(argv))
            return
        multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if multiproc:
            os.makedirs(multiproc, exist_ok=True)
        sys.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606  # gunicorn replaces this process: signals reach it directly
