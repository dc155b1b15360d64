"""Fault injection for the crash tests: ``RELOOP_TEST_CRASH_AT=<step>`` makes the process that reaches that step of
placement kill itself with SIGKILL there, as a machine losing power or the kernel's OOM killer would, with no
``finally``, no rollback hook, no response (``ops/tests/test_checkout_crash.py`` sets it on some of several live
web processes).

The steps: ``after_reserve`` (units reserved, no payment created yet), ``after_authorize`` (the provider says
authorized, not captured yet), ``after_capture`` (captured, the order not placed yet). Unset (always, outside
those tests) it does nothing; the variable is read at each step, so it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

STEPS = ("after_reserve", "after_authorize", "after_capture")
VARIABLE = "RELOOP_TEST_CRASH_AT"


def crash_point(step: str) -> None:
    """Die here, at once, when ``RELOOP_TEST_CRASH_AT`` names ``step``."""
    if os.environ.get(VARIABLE) == step:
        os.kill(os.getpid(), signal.SIGKILL)
