"""``reloop worker``: a Celery worker for every Reloop task (jobs, imports, emails, outbox events)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker (needs CELERY_BROKER_URL). Concurrency defaults to the number of cores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=0, help="Worker processes (default: one per core)")
        parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
        parser.add_argument("--queues", default="", help="Comma-separated queues (default: RELOOP_TASK_QUEUE, reloop)")
        parser.add_argument("--hostname", default="", help="Worker name (default: reloop@<host>-<pid>)")
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--metrics-port",
            type=int,
            default=int(os.environ.get("RELOOP_WORKER_METRICS_PORT") or 0),
            help="Serve this worker's metrics on ADDR:PORT (default: RELOOP_WORKER_METRICS_PORT; 0: off)",
        )
        parser.add_argument(
            "--metrics-addr",
            default=os.environ.get("RELOOP_WORKER_METRICS_ADDR") or "127.0.0.1",
            help="Metrics address (default: RELOOP_WORKER_METRICS_ADDR or 127.0.0.1; 0.0.0.0 in a container)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError("reloop worker needs CELERY_BROKER_URL (amqp://… or redis://…): see docs/deploy.md")
        from reloop.celery_app import app

        if options["metrics_port"]:
            from prometheus_client import CollectorRegistry, multiprocess, start_http_server

            if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
                raise CommandError(
                    "--metrics-port needs PROMETHEUS_MULTIPROC_DIR (an empty directory) set before the worker starts: "
                    "tasks run in child processes, whose figures are summed from there"
                )
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            start_http_server(options["metrics_port"], addr=options["metrics_addr"], registry=registry)
        argv = [
            "worker",
            f"--loglevel={options['loglevel']}",
            f"--pool={options['pool']}",
            f"--queues={options['queues'] or settings.CELERY_TASK_DEFAULT_QUEUE}",
            f"--hostname={options['hostname'] or f'reloop@%h-{os.getpid()}'}",
            "--without-mingle",
            "--without-gossip",
        ]
        if options["concurrency"]:
            argv.append(f"--concurrency={options['concurrency']}")
        app.worker_main(argv)
