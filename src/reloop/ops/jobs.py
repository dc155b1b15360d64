"""Scheduled jobs: idempotent functions that can run twice, or in two processes, without harm (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from reloop.aftersales.services import escalate_overdue_cases
from reloop.buyback.services import escalate_overdue_tradeins, expire_unshipped_tradeins, retry_tradein_payouts
from reloop.checkout.auto_cancel import cancel_unaccepted_lines, cancel_unshipped_lines
from reloop.checkout.reconciliation import reconcile_payments
from reloop.checkout.settlement import expire_reservations
from reloop.core import clock
from reloop.core.idempotency import purge_idempotency_keys
from reloop.core.mail import purge_email_deliveries
from reloop.core.outbox import purge_outbox, relay_outbox
from reloop.core.ratelimit import purge_rate_limit_counters
from reloop.fulfillment.services import deliver_overdue_shipments, poll_shipments
from reloop.offers.imports import apply_waiting_imports
from reloop.payments.services import release_matured_lines, run_due_payouts
from reloop.pricing.services import STALE_JOB_EVERY, rank_stale_buy_boxes
from reloop.quality.services import compute_quality_scores
from reloop.search.alerts import send_price_alerts
from reloop.sellers.services import lift_daily_caps


@dataclass(frozen=True)
class Job:
    """One scheduled job. This tuple is the one schedule: each job is also a Celery task ``reloop.job.<name>``
    (``reloop.ops.tasks``) run by ``reloop scheduler`` every ``every``, and by the embedded demo's scheduler."""

    name: str
    run: Callable[[], int]  # returns how many things it changed
    description: str
    every: timedelta = timedelta(minutes=1)
    time_limit: int = 300  # seconds a run may take before the worker stops it (the soft limit is 30 s earlier)


JOBS: tuple[Job, ...] = (
    Job(
        "relay_outbox",
        relay_outbox,
        "Deliver the domain events no process delivered after their commit (a crash, a broker down, a failed handler)",
        every=timedelta(seconds=10),
        time_limit=120,
    ),
    Job(
        "refresh_stale_buy_boxes",
        rank_stale_buy_boxes,
        "Rank the buy boxes the Seller API's bulk updates marked stale and no later call has ranked yet (ADR 0044)",
        every=STALE_JOB_EVERY,
        time_limit=120,
    ),
    Job(
        "purge_outbox",
        purge_outbox,
        "Forget domain events delivered more than 7 days ago",
        every=timedelta(hours=1),
    ),
    Job(
        "purge_email_deliveries",
        purge_email_deliveries,
        "Forget the send claims of emails sent more than 30 days ago",
        every=timedelta(hours=6),
    ),
    Job(
        "expire_reservations",
        expire_reservations,
        "Close orders still unpaid after their 15-minute hold and give their units back to stock",
    ),
    Job(
        "reconcile_payments",
        reconcile_payments,
        "Compare the last 7 days' payments at the provider with orders, ledger and refunds; finish half-done "
        "placements and cancellations; report the rest to the operator (checkout PaymentIssue)",
        every=timedelta(minutes=10),  # one provider call per recent payment: not every minute
    ),
    Job(
        "cancel_unaccepted_lines",
        cancel_unaccepted_lines,
        "Cancel and refund paid lines the seller did not accept within 1 business day (counts against the seller)",
    ),
    Job(
        "cancel_unshipped_lines",
        cancel_unshipped_lines,
        "Cancel and refund accepted lines not shipped within their dispatch days (counts against the seller)",
    ),
    Job(
        "poll_shipments",
        poll_shipments,
        "Ask the carrier about parcels on their way; record tracking events and deliver the delivered ones",
    ),
    Job(
        "deliver_overdue_shipments",
        deliver_overdue_shipments,
        "Count parcels without news RELOOP_AUTO_DELIVERY_DAYS after shipping as delivered",
    ),
    Job(
        "escalate_overdue_cases",
        escalate_overdue_cases,
        "Hand after-sales cases past their SLA (answer in 1 business day, remedy 5 after receipt) to the operator",
    ),
    Job(
        "expire_unshipped_tradeins",
        expire_unshipped_tradeins,
        "Expire trade-ins not shipped within RELOOP_TRADEIN_SHIP_DAYS (21) of accepting the quote",
    ),
    Job(
        "escalate_overdue_tradeins",
        escalate_overdue_tradeins,
        "Hand the operator trade-ins not inspected within 2 business days and counter-offers unanswered for 7 days",
    ),
    Job(
        "retry_tradein_payouts",
        retry_tradein_payouts,
        "Pay validated trade-ins whose bank transfer failed or was interrupted (paid once: keyed on the trade-in)",
    ),
    Job(
        "compute_quality_scores",
        compute_quality_scores,
        "Snapshot each seller's 90-day quality metrics and score once a day; warn, suspend, refresh buy boxes",
    ),
    Job(
        "release_matured_lines",
        lambda: release_matured_lines(today=clock.today()),
        "Make the money of lines delivered RELOOP_PAYOUT_HOLD_DAYS (14) days ago available for payout",
    ),
    Job(
        "run_payouts",
        lambda: run_due_payouts(today=clock.today()),
        "Pay sellers on the payout days (RELOOP_PAYOUT_DAYS, 6,16,26), once per date; a missed date is caught up",
    ),
    Job(
        "lift_daily_caps",
        lift_daily_caps,
        "Bring new sellers capped on an earlier day back into the buy boxes",
    ),
    Job(
        "purge_idempotency_keys",
        purge_idempotency_keys,
        "Forget API idempotency keys older than 24 hours",
        every=timedelta(hours=1),
    ),
    Job(
        "purge_rate_limit_counters",
        purge_rate_limit_counters,
        "Delete the database rate-limit counters of minutes that are over",
    ),
    Job(
        "apply_offer_imports",
        apply_waiting_imports,
        "Apply approved offer CSV imports no web thread is applying (RELOOP_IMPORT_APPLY=worker, or a lost thread)",
    ),
    Job(
        "send_price_alerts",
        send_price_alerts,
        "Email once each confirmed price alert whose buy box is at or below its target (search.alerts)",
        every=timedelta(minutes=5),
    ),
)


def run_all() -> dict[str, int]:
    return {job.name: job.run() for job in JOBS}
