"""``reloop scheduler``: Celery beat, sending each job of ``reloop.ops.jobs.JOBS`` at its ``every``. Run one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run the scheduler (Celery beat) that sends every scheduled job to the workers. Run exactly one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--list", action="store_true", help="Print the schedule and exit")

    def handle(self, *args: Any, loglevel: str, **options: Any) -> None:
        from reloop.celery_app import app
        from reloop.ops.tasks import beat_schedule

        schedule = beat_schedule()
        if options["list"]:
            for name, entry in schedule.items():
                self.stdout.write(f"{name}: every {entry['schedule']:g} s")
            return
        if not settings.CELERY_BROKER_URL:
            raise CommandError("reloop scheduler needs CELERY_BROKER_URL (amqp://… or redis://…): see docs/deploy.md")
        app.conf.beat_schedule = schedule
        Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
        beat = app.Beat(loglevel=loglevel, schedule=settings.CELERY_BEAT_SCHEDULE_FILENAME)
        beat.run()
