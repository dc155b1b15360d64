from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from reloop.ops.jobs import run_all


class Command(BaseCommand):
    help = "Run the scheduled jobs once, or every --interval seconds with --loop. Each job is safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running until interrupted")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between passes with --loop (default 60)")
        parser.add_argument("--passes", type=int, default=0, help="With --loop, stop after this many passes (0: never)")

    def handle(self, *args: Any, loop: bool, interval: int, passes: int, **options: Any) -> None:
        if interval < 1:
            raise CommandError("--interval must be at least 1 second")
        done = 0
        while True:
            close_old_connections()
            results = run_all()
            self.stdout.write(", ".join(f"{name}: {count}" for name, count in results.items()))
            done += 1
            if not loop or (passes and done >= passes):
                break
            time.sleep(interval)
