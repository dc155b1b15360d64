"""IMEIs for tests: a few fixed valid ones, one with a wrong check digit, and a generator of valid ones."""

from __future__ import annotations

from stdnum import luhn

IMEIS = ("490154203237518", "356938035643809", "352099001761481")
BAD_IMEI = "490154203237517"  # the first one with its check digit off by one


def imei(n: int) -> str:
    """The ``n``-th of a series of valid IMEIs (a fixed prefix, ``n``, and the Luhn check digit)."""
    body = f"3569380{n:07d}"
    return body + luhn.calc_check_digit(body)
