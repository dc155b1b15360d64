"""The quality job against real orders, after-sales cases and buy boxes: counts, warnings, suspension, idempotency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales.models import Case
from reloop.aftersales.services import answer_case, open_return, open_warranty_claim
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import ActorKind, Order, OrderLine
from reloop.orders.services import transition_line
from reloop.pricing.models import BuyBoxSnapshot
from reloop.quality import conf
from reloop.quality.domain import Metric
from reloop.quality.models import QualitySnapshot, QualityWarning, WarningKind
from reloop.quality.selectors import seller_counts, window
from reloop.quality.services import compute_quality_scores
from reloop.reviews.services import hide_review, write_review
from reloop.reviews.tests.factories import bought_line
from reloop.sellers.models import Seller, Standing
from reloop.sellers.services import set_seller_standing
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

DESCRIPTION = "The screen goes black after a few minutes."


def delivered_lines(offer, *, lines: int, quantity: int = 5) -> list[OrderLine]:
    return [bought_line(offer=offer, quantity=quantity) for _ in range(lines)]


def claim(line: OrderLine, *, reason: str = "defective") -> None:
    open_warranty_claim(actor=line.seller_order.order.buyer, line_id=line.pk, reason=reason, description=DESCRIPTION)


def winner(variant) -> int:
    return BuyBoxSnapshot.objects.get(variant=variant, grade="good", market="en-gb").winner_id


def window_now():
    start, end = window(clock.today())
    return start, min(end, clock.now())


@pytest.mark.django_db(transaction=True)  # the buy box moves after commit, as in production
def test_a_seller_over_the_defect_hard_limit_is_suspended_and_the_buy_box_moves_to_the_next_offer():
    # Given Alpha wins the buy box at £300 against Beta at £310, and delivered 20 units of which 3 came back under
    # warranty as defective (15%, over the 12% hard limit: twice the 6% threshold)
    variant = VariantFactory()
    alpha = make_offer(seller=SellerFactory(name="Alpha", country="GB"), variant=variant, price=30000, stock=100)
    beta = make_offer(seller=SellerFactory(name="Beta"), variant=variant, price=31000, stock=5)
    SellerMemberFactory(seller=alpha.seller, user=UserFactory(email="owner@alpha.test"))
    assert winner(variant) == alpha.pk
    lines = delivered_lines(alpha, lines=4)
    for line in lines[:3]:
        claim(line)
    mail.outbox.clear()

    # When the quality job runs
    assert compute_quality_scores() == 2  # Alpha and Beta

    # Then Alpha is suspended, the defect rate is recorded as a warning and as the cause, and the owner is told
    seller = Seller.objects.get(pk=alpha.seller_id)
    snapshot = QualitySnapshot.objects.get(seller=seller)
    assert (snapshot.delivered_units, snapshot.defects, snapshot.score) == (20, 3, 60)
    assert (seller.standing, seller.quality_score) == (Standing.SUSPENDED, 60)
    assert sorted(QualityWarning.objects.values_list("seller__name", "kind", "metric", "value")) == [
        ("Alpha", WarningKind.SUSPENSION, Metric.DEFECT_RATE, Decimal("0.1500")),
        ("Alpha", WarningKind.WARNING, Metric.DEFECT_RATE, Decimal("0.1500")),
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["owner@alpha.test"], "Alpha is suspended from selling on Reloop")
    ]
    assert "Defect rate: 15% (threshold 6%)" in mail.outbox[0].body
    # and, on commit, the buy box moved to Beta
    assert winner(variant) == beta.pk
    assert Seller.objects.get(pk=beta.seller_id).standing == Standing.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_over_the_threshold_warns_then_suspends_after_the_grace_period_and_the_job_twice_is_once(settings):
    settings.RELOOP_QUALITY_GRACE_DAYS = 14
    variant = VariantFactory()
    alpha = make_offer(seller=SellerFactory(name="Alpha", country="GB"), variant=variant, price=30000, stock=100)
    SellerMemberFactory(seller=alpha.seller, user=UserFactory(email="owner@alpha.test"))
    lines = delivered_lines(alpha, lines=4)
    claim(lines[0])
    claim(lines[1], reason="not_as_described")  # 2 / 20 = 10%: over 6%, under the 12% hard limit
    mail.outbox.clear()
    today = clock.today()

    assert compute_quality_scores(day=today) == 1
    state = (
        list(QualitySnapshot.objects.values_list("seller_id", "day", "score")),
        list(QualityWarning.objects.values_list("kind", "metric", "opened_on", "resolved_on")),
        Seller.objects.get(pk=alpha.seller_id).standing,
        len(mail.outbox),
    )
    assert state[1:] == ([(WarningKind.WARNING, Metric.DEFECT_RATE, today, None)], Standing.ACTIVE, 1)
    assert mail.outbox[0].subject == "Quality warning for Alpha"

    # The same day again: nothing more (no snapshot, warning, score change or email)
    assert compute_quality_scores(day=today) == 0
    assert (
        list(QualitySnapshot.objects.values_list("seller_id", "day", "score")),
        list(QualityWarning.objects.values_list("kind", "metric", "opened_on", "resolved_on")),
        Seller.objects.get(pk=alpha.seller_id).standing,
        len(mail.outbox),
    ) == state

    # 13 days later still over: still a warning; 14 days later: suspended
    assert compute_quality_scores(day=today + dt.timedelta(days=13)) == 1
    assert Seller.objects.get(pk=alpha.seller_id).standing == Standing.ACTIVE
    assert QualityWarning.objects.count() == 1
    day14 = today + dt.timedelta(days=14)
    assert compute_quality_scores(day=day14) == 1
    assert Seller.objects.get(pk=alpha.seller_id).standing == Standing.SUSPENDED
    assert list(QualityWarning.objects.order_by("pk").values_list("kind", "resolved_on", "ended_in_suspension")) == [
        (WarningKind.WARNING, day14, True),
        (WarningKind.SUSPENSION, None, False),
    ]
    assert BuyBoxSnapshot.objects.filter(variant=variant).count() == 0  # nobody else sells it
    # The next day, still suspended and still over: no new warning, no email
    mail.outbox.clear()
    assert compute_quality_scores(day=day14 + dt.timedelta(days=1)) == 1
    assert QualityWarning.objects.count() == 2
    assert mail.outbox == []

    # An operator reinstates Alpha while it is still at 10%: a new warning and a new grace period, not a suspension
    set_seller_standing(seller=Seller.objects.get(pk=alpha.seller_id), standing=Standing.ACTIVE)
    assert compute_quality_scores(day=day14 + dt.timedelta(days=2)) == 1
    assert Seller.objects.get(pk=alpha.seller_id).standing == Standing.ACTIVE
    assert QualityWarning.objects.filter(kind=WarningKind.WARNING, resolved_on__isnull=True).get().opened_on == (
        day14 + dt.timedelta(days=2)
    )
    assert BuyBoxSnapshot.objects.get(variant=variant).winner_id == alpha.pk


@pytest.mark.django_db
class TestCounts:
    def test_a_small_seller_is_not_warned_for_one_bad_sale(self):
        offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=10)
        line = bought_line(offer=offer)
        claim(line)  # 1 defect / 1 unit = 100%, but under the 20-unit minimum volume
        assert compute_quality_scores() == 1
        assert QualitySnapshot.objects.get().score == 100
        assert QualityWarning.objects.count() == 0
        assert Seller.objects.get(pk=offer.seller_id).standing == Standing.ACTIVE

    def test_cancellations_by_the_seller_and_automatic_ones_count_the_buyer_s_do_not(self):
        offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=20)
        how = [
            (ActorKind.SELLER, "out of stock"),
            (ActorKind.SYSTEM, "auto_cancel:not_shipped"),
            (ActorKind.BUYER, "changed my mind"),
            (ActorKind.OPERATOR, "fraud check"),
        ]
        for kind, reason in how:
            line = bought_line(offer=offer, state=LineState.PAID)
            transition_line(line_id=line.pk, to_state=LineState.CANCELLED, actor=None, actor_kind=kind, reason=reason)
        bought_line(offer=offer, state=LineState.SHIPPED)
        counts = seller_counts(seller_id=offer.seller_id, start=window_now()[0], end=window_now()[1])
        assert (counts.lines, counts.cancellations) == (5, 2)

    def test_late_shipments_defects_answer_time_and_ratings(self):
        offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=20, dispatch_days=1)
        owner = SellerMemberFactory(seller=offer.seller).user
        on_time, late, returned, claimed, silent = (bought_line(offer=offer) for _ in range(5))
        # the late one was paid a week ago (shipped just now, long after its 1 business day)
        Order.objects.filter(pk=late.seller_order.order_id).update(paid_at=clock.now() - dt.timedelta(days=7))
        buyer = cast(User, returned.seller_order.order.buyer)
        change_of_mind = open_return(
            actor=buyer, line_id=returned.pk, reason="change_of_mind", description="Too big for me."
        )
        claim(claimed)
        claim(silent)
        # the seller answered the return 10 hours after it was opened; the silent claim is 30 hours past due
        Case.objects.filter(pk=change_of_mind.pk).update(opened_at=clock.now() - dt.timedelta(hours=10))
        answer_case(actor=owner, case_id=change_of_mind.pk, answer="accept", note="Send it back with the label.")
        Case.objects.filter(line=silent).update(
            opened_at=clock.now() - dt.timedelta(hours=54), answer_due_at=clock.now() - dt.timedelta(hours=30)
        )
        # ratings: visible reviews count, hidden ones do not
        write_review(
            actor=on_time.seller_order.order.buyer,
            line_id=on_time.pk,
            product_rating=5,
            seller_rating=4,
            text="Quick and well packed.",
        )
        hidden = write_review(
            actor=late.seller_order.order.buyer,
            line_id=late.pk,
            product_rating=1,
            seller_rating=1,
            text="Call me on 0600000000",
        )
        moderator = UserFactory(is_staff=True, is_superuser=True)
        hide_review(actor=moderator, review_id=hidden.pk, reason="Personal data")

        start, end = window_now()
        counts = seller_counts(seller_id=offer.seller_id, start=start, end=end)

        assert (counts.delivered_units, counts.defects, counts.shipped_lines, counts.late_shipments) == (5, 2, 5, 1)
        assert sorted(counts.answer_hours) == [Decimal("10.0"), Decimal("54.0")]  # the claim on time is not due
        assert (counts.rating_sum, counts.rating_count) == (4, 1)

    def test_other_sellers_sales_do_not_count(self):
        mine = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=20)
        theirs = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=20)
        claim(bought_line(offer=theirs))
        bought_line(offer=mine)
        counts = seller_counts(seller_id=mine.seller_id, start=window_now()[0], end=window_now()[1])
        assert (counts.delivered_units, counts.defects, counts.lines) == (1, 0, 1)

    def test_a_pending_seller_is_not_scored(self):
        SellerFactory(standing=Standing.PENDING)
        assert compute_quality_scores() == 0


def test_limits_come_from_the_environment(settings, monkeypatch):
    monkeypatch.setenv("RELOOP_QUALITY_DEFECT_LIMIT", "5")
    settings.RELOOP_QUALITY_CANCELLATION_LIMIT = "1.5"  # a setting wins over the environment
    limits = conf.limits()
    assert (str(limits.defect_rate), str(limits.cancellation_rate), limits.min_volume) == ("0.05", "0.015", 20)
    monkeypatch.setenv("RELOOP_QUALITY_LATE_SHIPMENT_LIMIT", "lots")
    with pytest.raises(ImproperlyConfigured, match="RELOOP_QUALITY_LATE_SHIPMENT_LIMIT"):
        conf.limits()
