"""Console settings read from the environment: ``RELOOP_REPORTING_CURRENCY`` (default EUR)."""

from __future__ import annotations

import os

from reloop.core.money import get_currency


def reporting_currency() -> str:
    """The currency the console adds markets up in; an unknown code is refused at the first read."""
    code = (os.environ.get("RELOOP_REPORTING_CURRENCY") or "EUR").strip().upper()
    return get_currency(code).code
