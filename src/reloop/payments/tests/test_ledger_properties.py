"""Hypothesis: any sequence of captures, splits, refunds, cancellations and retries keeps the ledger sound."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from reloop.core.money import Money
from reloop.payments.checks import run_checks
from reloop.payments.domain import SellerShare, commission, commission_to_return
from reloop.payments.models import LedgerTransaction, Posting
from reloop.payments.selectors import balance
from reloop.payments.services import record_cancellation, record_capture, record_refund, record_split
from reloop.sellers.tests.factories import SellerFactory

CURRENCIES = ["EUR", "GBP", "SEK", "JPY"]
rates = st.decimals(min_value=0, max_value=30, places=2)


@dataclass
class Part:
    """One seller's share of one sale, and how much of it was refunded so far."""

    reference: str
    seller_id: int
    gross: Money
    commission: Money
    refunded_gross: Money
    refunded_commission: Money

    @property
    def left(self) -> int:
        return self.gross.amount - self.refunded_gross.amount


class LedgerInvariantTests(TestCase):
    """``hypothesis.extra.django.TestCase`` rolls the database back after every example."""

    @classmethod
    def setUpTestData(cls):
        cls.seller_ids = [SellerFactory().pk for _ in range(4)]

    @settings(max_examples=25, deadline=None)
    @given(data=st.data())
    def test_random_movements_keep_every_invariant(self, data):
        parts: list[Part] = []
        calls: list[tuple] = []  # every call made, to retry one at random
        captured: dict[str, int] = defaultdict(int)
        refunded: dict[str, int] = defaultdict(int)
        commissions: dict[str, int] = defaultdict(int)
        for step in range(data.draw(st.integers(min_value=1, max_value=10), label="steps")):
            open_parts = [p for p in parts if p.left > 0]
            choices = ["sale"] + (["refund", "cancellation"] if open_parts else []) + (["retry"] if calls else [])
            action = data.draw(st.sampled_from(choices), label="action")
            if action == "sale":
                currency = data.draw(st.sampled_from(CURRENCIES), label="currency")
                sellers = data.draw(
                    st.lists(st.sampled_from(self.seller_ids), min_size=1, max_size=4, unique=True), label="sellers"
                )
                reference = f"order:{step}"
                shares = []
                for seller_id in sellers:
                    gross = Money(data.draw(st.integers(min_value=1, max_value=10**7), label="gross"), currency)
                    shares.append(SellerShare(seller_id, gross, commission(gross, data.draw(rates, label="rate"))))
                total = sum((s.gross for s in shares), Money.zero(currency))
                capture = (record_capture, {"key": f"{reference}:capture", "reference": reference, "amount": total})
                split = (record_split, {"key": f"{reference}:split", "reference": reference, "shares": shares})
                for function, kwargs in (capture, split):
                    function(**kwargs)
                    calls.append((function, kwargs))
                captured[currency] += total.amount
                commissions[currency] += sum(s.commission.amount for s in shares)
                zero = Money.zero(currency)
                parts += [Part(reference, s.seller_id, s.gross, s.commission, zero, zero) for s in shares]
            elif action in ("refund", "cancellation"):
                part = data.draw(st.sampled_from(open_parts), label="part")
                amount = Money(
                    data.draw(st.integers(min_value=1, max_value=part.left), label="refund"), part.gross.currency
                )
                fee = commission_to_return(
                    gross=part.gross,
                    commission=part.commission,
                    refunded_gross=part.refunded_gross,
                    refunded_commission=part.refunded_commission,
                    refund=amount,
                )
                function = record_refund if action == "refund" else record_cancellation
                kwargs = {
                    "key": f"{part.reference}:{action}:{step}",
                    "reference": part.reference,
                    "seller_id": part.seller_id,
                    "gross": amount,
                    "commission": fee,
                }
                function(**kwargs)
                calls.append((function, kwargs))
                part.refunded_gross += amount
                part.refunded_commission += fee
                refunded[amount.currency] += amount.amount
                commissions[amount.currency] -= fee.amount
            else:  # a retry with the same key returns the same transaction and writes nothing
                function, kwargs = data.draw(st.sampled_from(calls), label="retry")
                before = Posting.objects.count()
                entry = function(**kwargs)
                assert entry.idempotency_key == kwargs["key"]
                assert Posting.objects.count() == before

        # Every transaction balances per currency, and so does the whole ledger
        unbalanced = Posting.objects.values("transaction_id", "currency").annotate(t=Sum("amount")).exclude(t=0)
        assert list(unbalanced) == []
        assert list(Posting.objects.values("currency").annotate(t=Sum("amount")).exclude(t=0)) == []
        assert LedgerTransaction.objects.count() == len({kwargs["key"] for _, kwargs in calls})

        # Each seller is owed their sales minus commission, minus what was refunded net of commission
        owed: dict[tuple[int, str], int] = defaultdict(int)
        for part in parts:
            sold = part.gross.amount - part.commission.amount
            returned = part.refunded_gross.amount - part.refunded_commission.amount
            owed[(part.seller_id, part.gross.currency)] += -sold + returned
        for (seller_id, currency), expected in owed.items():
            assert balance(f"seller:{seller_id}:payable", currency) == Money(expected, currency)
        for currency in {p.gross.currency for p in parts}:
            assert balance("psp:receivable", currency) == Money(captured[currency] - refunded[currency], currency)
            assert balance("platform:clearing", currency) == Money(0, currency)
            assert balance("platform:commission", currency) == Money(-commissions[currency], currency)

        assert [r.name for r in run_checks() if not r.ok] == []
        out = StringIO()
        call_command("check_ledger", stdout=out)
        assert f"All {len(run_checks())} ledger checks passed." in out.getvalue()
