"""The trade-in's ledger invariants, added to ``reloop check_ledger`` (``payments.checks.EXTRA_CHECKS``)."""

from __future__ import annotations

from django.db.models import CharField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat

from reloop.buyback.domain import State
from reloop.payments.checks import CheckResult, _result
from reloop.payments.models import Posting


def _posted(suffix: str) -> Coalesce:
    """What the purchase transaction of the outer trade-in posted on accounts whose code ends with ``suffix``."""
    rows = (
        Posting.objects.filter(
            transaction__idempotency_key=Concat(
                Value("tradein:"), Cast(OuterRef("pk"), CharField()), Value(":purchase")
            ),
            account__code__endswith=suffix,
        )
        .values("transaction")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows), Value(0))


def tradein_checks() -> list[CheckResult]:
    """Each validated or paid trade-in debited its refurbisher exactly the agreed amount plus the fee, and no
    other trade-in was charged (one query when it holds)."""
    from reloop.buyback.models import TradeIn

    charged = Q(state__in=[State.VALIDATED, State.PAID])
    mismatched = (
        TradeIn.objects.annotate(debited=_posted(":available"))
        .filter((charged & ~Q(debited=F("agreed_amount") + F("fee_amount"))) | (~charged & ~Q(debited=0)))
        .values("id", "number", "debited", "agreed_amount", "fee_amount")
        .order_by("id")
    )
    return [
        _result(
            "each validated or paid trade-in charged its refurbisher the agreed amount plus the fee, and no other",
            mismatched,
            lambda row: f"trade-in {row['number']} ({row['debited']} debited)",
        )
    ]
