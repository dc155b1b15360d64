"""Scheduled jobs: idempotent functions that can run twice, or in two processes, without harm (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reloop.checkout.services import expire_reservations
from reloop.sellers.services import lift_daily_caps


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]  # returns how many things it changed
    description: str


JOBS: tuple[Job, ...] = (
    Job(
        "expire_reservations",
        expire_reservations,
        "Close orders still unpaid after their 15-minute hold and give their units back to stock",
    ),
    Job(
        "lift_daily_caps",
        lift_daily_caps,
        "Bring new sellers capped on an earlier day back into the buy boxes",
    ),
)


def run_all() -> dict[str, int]:
    return {job.name: job.run() for job in JOBS}
