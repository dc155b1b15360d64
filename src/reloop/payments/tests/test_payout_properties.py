"""Hypothesis: any sequence of sales, deliveries, refunds, releases and payout runs (with retries) keeps every
ledger check passing and each seller's balance equal to earned − refunded − paid out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.core.money import Money
from reloop.offers.tests.factories import make_offer
from reloop.payments import services
from reloop.payments.checks import run_checks
from reloop.payments.domain import commission_to_return
from reloop.payments.models import LineRefund, LineRelease, Payout, PayoutStatus
from reloop.payments.selectors import balance
from reloop.payments.tests.factories import deliver, make_order, refund_line
from reloop.sellers.tests.factories import SellerFactory

GBP = "GBP"


class PayoutInvariantTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.offers = [make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=100) for _ in range(2)]

    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_any_sequence_keeps_the_ledger_and_the_seller_balances_exact(self, data):
        today = clock.now().date()
        lines = []  # every line sold, with what was refunded so far
        refunded: dict[int, list[int]] = {}  # line id -> [gross refunded, commission returned]
        earned: dict[int, int] = defaultdict(int)
        given_back: dict[int, int] = defaultdict(int)
        n = 0
        # Refunds are drawn twice as often: a refund after a release or a payout is the case that matters most.
        actions = st.sampled_from(["sale", "deliver", "refund", "refund", "wait", "payout", "retry"])
        for _ in range(data.draw(st.integers(min_value=3, max_value=16), label="steps")):
            action = data.draw(actions, label="action")
            if action == "sale":
                offers = data.draw(st.lists(st.sampled_from(self.offers), min_size=1, max_size=3), label="offers")
                prices = [data.draw(st.integers(min_value=1, max_value=50_000), label="price") for _ in offers]
                shipping = data.draw(st.sampled_from([0, 499, 999]), label="shipping")
                rate = data.draw(st.sampled_from([Decimal(0), Decimal(10), Decimal("12.5")]), label="rate")
                order = make_order(lines=list(zip(offers, prices, strict=True)), shipping=shipping, rate=rate)
                for part in order.seller_orders.all():
                    earned[part.seller_id] += part.total - part.commission
                    lines += list(part.lines.select_related("seller_order"))
            elif action == "deliver" and any(line.delivered_at is None for line in lines):
                index = data.draw(st.sampled_from([i for i, line in enumerate(lines) if line.delivered_at is None]))
                lines[index] = deliver(lines[index])
            elif action == "refund" and any(line.delivered_at for line in lines):
                line = data.draw(st.sampled_from([line for line in lines if line.delivered_at]), label="line")
                gross_done, fee_done = refunded.setdefault(line.pk, [0, 0])
                if gross_done == line.line_total:
                    continue
                amount = data.draw(st.integers(min_value=1, max_value=line.line_total - gross_done), label="refund")
                back = commission_to_return(
                    gross=Money(line.line_total, GBP),
                    commission=Money(line.commission, GBP),
                    refunded_gross=Money(gross_done, GBP),
                    refunded_commission=Money(fee_done, GBP),
                    refund=Money(amount, GBP),
                ).amount
                n += 1
                refund_line(line, gross=amount, commission_back=back, key=f"refund-{n}")
                refunded[line.pk] = [gross_done + amount, fee_done + back]
                given_back[line.seller_order.seller_id] += amount - back
            elif action == "wait":
                today += dt.timedelta(days=data.draw(st.sampled_from([1, 6, 13, 14, 20]), label="days"))
                services.release_matured_lines(today=today)
            elif action == "payout":
                services.run_payouts(run_date=today)
            elif action == "retry":
                services.release_matured_lines(today=today)
                services.run_payouts(run_date=today)
                services.run_due_payouts(today=today)

        assert [r.name for r in run_checks() if not r.ok] == []
        for offer in self.offers:
            seller = offer.seller_id
            paid = Payout.objects.filter(seller_id=seller, status=PayoutStatus.PAID).aggregate(t=Sum("amount"))["t"]
            on_hold = -balance(f"seller:{seller}:payable", GBP).amount
            available = -balance(f"seller:{seller}:available", GBP).amount
            assert on_hold + available == earned[seller] - given_back[seller] - (paid or 0)
            released = LineRelease.objects.filter(seller_id=seller).aggregate(t=Sum("amount"))["t"] or 0
            after_release = (
                LineRefund.objects.filter(seller_id=seller, from_available=True).aggregate(t=Sum("amount"))["t"] or 0
            )
            assert available == released - after_release - (paid or 0)
            assert on_hold >= 0
        assert Payout.objects.values("seller", "currency", "run_date").distinct().count() == Payout.objects.count()
