"""Ledger data is made through the real services, as the order glue will make it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal

from reloop.core.money import Money
from reloop.payments.domain import SellerShare
from reloop.payments.models import LedgerTransaction
from reloop.payments.services import record_capture, record_split

_order = itertools.count(1)


def make_sale(
    *, sellers: Sequence[int], amounts: Sequence[int], currency: str = "EUR", rate: Decimal = Decimal("10")
) -> tuple[str, LedgerTransaction, LedgerTransaction, list[SellerShare]]:
    """One captured payment split between ``sellers`` (``amounts`` in minor units): the reference, the capture,
    the split and the shares."""
    reference = f"order:{next(_order)}"
    shares = [
        SellerShare.at_rate(seller_id, Money(amount, currency), rate)
        for seller_id, amount in zip(sellers, amounts, strict=True)
    ]
    total = Money(sum(amounts), currency)
    capture = record_capture(key=f"{reference}:capture", reference=reference, amount=total)
    split = record_split(key=f"{reference}:split", reference=reference, shares=shares)
    return reference, capture, split, shares
