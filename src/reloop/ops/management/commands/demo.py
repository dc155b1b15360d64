from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from reloop.catalog.models import ProductModel
from reloop.ops.demo_accounts import DEMO_PASSWORD, load_demo_accounts
from reloop.ops.demo_orders import load_demo_orders, load_demo_quality
from reloop.ops.demo_payouts import load_demo_payouts
from reloop.ops.demo_reviews import load_demo_reviews
from reloop.ops.demo_tradeins import load_demo_tradeins
from reloop.ops.tasks import run_scheduler_forever

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Migrate, load the small demo data when the database is empty, and serve the site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Prepare the database, then exit")

    def handle(self, *args: Any, host: str, port: int, no_serve: bool, **options: Any) -> None:
        if settings.RELOOP_SITE_URL_FROM_REQUEST:  # RELOOP_SITE_URL not set: the demo's emails link to where it runs
            settings.RELOOP_SITE_URL = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}"  # noqa: S104  # the address to link to, not to bind
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        if ProductModel.objects.exists():
            self.stdout.write("Demo data already loaded; run `reloop seed` to refresh it.")
        else:
            call_command("seed", size="small", stdout=self.stdout, stderr=self.stderr)
        for account in load_demo_accounts():
            self.stdout.write(f"Demo account: {account.email} / {DEMO_PASSWORD} ({account.role})")
        # First, so its quality snapshots are the first of their days (ops/demo_orders.py)
        if suspended := load_demo_quality():
            self.stdout.write(f"Demo quality: {suspended} sales of London Reboot, too many defects: suspended.")
        if payouts := load_demo_payouts():
            self.stdout.write(f"Demo payouts: {payouts} paid to the demo seller over the past weeks.")
        if reviews := load_demo_reviews():
            self.stdout.write(f"Demo reviews: {reviews} delivered purchases reviewed.")
        if orders := load_demo_orders():
            self.stdout.write(f"Demo orders: {orders} orders of buyer@reloop.test, one in each step of the trust loop.")
        if tradeins := load_demo_tradeins():
            self.stdout.write(f"Demo trade-ins: {tradeins} trade-ins of buyer@reloop.test, one in each state.")
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"Reloop is at http://{host}:{port}/ (Ctrl+C to stop)"))
        # The embedded profile is one process: it serves and runs the scheduled jobs as `reloop scheduler` would
        # (the same tasks and schedule, run eagerly in this thread: ADR 0025).
        threading.Thread(target=run_scheduler_forever, name="reloop-jobs", daemon=True).start()
        call_command("runserver", f"{host}:{port}", use_reloader=False)
