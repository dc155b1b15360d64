"""Quality reads: a seller's counts over the rolling window (for the job), its scorecard, the public summary.

The counts come from the sources of truth — order lines and their events, after-sales cases, reviews — in a fixed
number of queries per seller, whatever its volume (late shipments are decided in Python over small tuples).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from reloop.aftersales.domain import DEFECT_REASONS, CaseKind
from reloop.aftersales.models import Case
from reloop.offers.models import Offer
from reloop.orders.domain import LineState
from reloop.orders.models import ActorKind, LineEvent, OrderLine
from reloop.pricing.models import BuyBoxSnapshot
from reloop.quality import domain
from reloop.quality.models import BuyBoxShareSnapshot, QualitySnapshot, QualityWarning, WarningKind
from reloop.reviews.models import Review
from reloop.sellers.models import Seller, Standing

AUTO_CANCEL_PREFIX = "auto_cancel:"  # the reason of the system's cancellations (checkout.auto_cancel)
TREND_DAYS = 14
SECONDS_PER_HOUR = Decimal(3600)


def window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The 90 days that end at the start (UTC) of the day after ``day``."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return end - dt.timedelta(days=domain.WINDOW_DAYS), end


def _hours(delta: dt.timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / SECONDS_PER_HOUR).quantize(Decimal("0.1"))


def seller_counts(*, seller_id: int, start: dt.datetime, end: dt.datetime) -> domain.Counts:
    """What happened to ``seller_id``'s sales from ``start`` to ``end`` (six queries).

    - delivered units: lines delivered in the window (``delivered_at``), by quantity;
    - defects: warranty claims and returns for a defect reason (``aftersales.domain.DEFECT_REASONS``) opened in it;
    - lines: lines of orders paid in the window; cancellations: those cancelled by the seller, or by the system
      for not accepting or shipping in time (reason ``auto_cancel:…``) — a buyer's or operator's cancellation does
      not count;
    - late shipments: lines shipped in the window after their ship-by deadline;
    - answer hours: per case opened in the window, hours to the seller's first answer (a case still unanswered
      after its due time counts the hours it has waited so far: silence does not help);
    - ratings: seller ratings of visible reviews written in the window.
    """
    lines = OrderLine.objects.filter(seller_order__seller_id=seller_id)
    delivered = lines.filter(delivered_at__gte=start, delivered_at__lt=end).aggregate(units=Sum("quantity"))
    cases = Case.objects.filter(seller_id=seller_id, opened_at__gte=start, opened_at__lt=end)
    defects = cases.filter(Q(kind=CaseKind.WARRANTY) | Q(kind=CaseKind.RETURN, reason__in=DEFECT_REASONS)).count()
    paid = lines.filter(seller_order__order__paid_at__gte=start, seller_order__order__paid_at__lt=end)
    paid_counts = paid.aggregate(
        n=Count("pk"),
        cancelled=Count(
            "pk",
            filter=Q(
                state=LineState.CANCELLED,
                pk__in=LineEvent.objects.filter(to_state=LineState.CANCELLED)
                .filter(Q(actor_kind=ActorKind.SELLER) | Q(reason__startswith=AUTO_CANCEL_PREFIX))
                .values("line_id"),
            ),
        ),
    )
    shipped = lines.filter(shipped_at__gte=start, shipped_at__lt=end).values_list(
        "shipped_at", "seller_order__order__paid_at", "dispatch_days"
    )
    late = 0
    shipped_count = 0
    for shipped_at, paid_at, dispatch_days in shipped.iterator(chunk_size=2000):
        shipped_count += 1
        if (
            shipped_at
            and paid_at
            and domain.is_late(paid_at=paid_at, dispatch_days=dispatch_days, shipped_at=shipped_at)
        ):
            late += 1
    answer_hours = []
    for opened_at, answered_at, due_at in cases.values_list("opened_at", "answered_at", "answer_due_at"):
        if answered_at is not None:
            answer_hours.append(_hours(answered_at - opened_at))
        elif due_at < end:
            answer_hours.append(_hours(end - opened_at))
    ratings = Review.objects.filter(
        seller_id=seller_id, hidden_at__isnull=True, created_at__gte=start, created_at__lt=end
    ).aggregate(n=Count("pk"), total=Sum("seller_rating"))
    return domain.Counts(
        delivered_units=delivered["units"] or 0,
        defects=defects,
        lines=paid_counts["n"],
        cancellations=paid_counts["cancelled"],
        shipped_lines=shipped_count,
        late_shipments=late,
        answer_hours=tuple(answer_hours),
        rating_sum=ratings["total"] or 0,
        rating_count=ratings["n"],
    )


def sellers_to_score() -> QuerySet[Seller]:
    """Every seller that has been vetted (active or suspended: a suspended seller's record still moves)."""
    return Seller.objects.exclude(standing=Standing.PENDING).order_by("pk")


def open_warnings(*, seller_id: int) -> dict[domain.Metric, dt.date]:
    rows = QualityWarning.objects.filter(seller_id=seller_id, kind=WarningKind.WARNING, resolved_on__isnull=True)
    return {domain.Metric(metric): opened for metric, opened in rows.values_list("metric", "opened_on")}


@dataclass(frozen=True)
class Scorecard:
    latest: QualitySnapshot | None
    trend: list[QualitySnapshot]  # oldest first
    warnings: list[QualityWarning]


def scorecard(*, seller: Seller, days: int = TREND_DAYS, warnings: int = 20) -> Scorecard:
    """The seller's latest snapshot, the last ``days`` snapshots and its latest warnings (two queries)."""
    snapshots = list(QualitySnapshot.objects.filter(seller=seller).order_by("-day")[:days])
    return Scorecard(
        latest=snapshots[0] if snapshots else None,
        trend=list(reversed(snapshots)),
        warnings=list(QualityWarning.objects.filter(seller=seller).order_by("-opened_on", "-pk")[:warnings]),
    )


def latest_snapshot(*, seller: Seller) -> QualitySnapshot | None:
    return QualitySnapshot.objects.filter(seller=seller).order_by("-day").first()


def public_seller(*, slug: str) -> Seller | None:
    """A seller buyers may see (vetted: active or suspended), with its rating summary and the approved
    application whose trader data (EU DSA art. 30) the page shows (one query)."""
    return (
        Seller.objects.exclude(standing=Standing.PENDING)
        .select_related("rating_summary", "application")
        .filter(slug=slug)
        .first()
    )


def buy_box_share_now(*, seller_id: int) -> list[tuple[str, int, int]]:
    """Per market: (market, buy boxes the seller holds now, buy boxes it competes in: a variant and grade where it
    has an offer priced in that market). One query."""
    competing = Offer.objects.filter(
        seller_id=seller_id,
        variant_id=OuterRef("variant_id"),
        grade=OuterRef("grade"),
        prices__market=OuterRef("market"),
    )
    rows = (
        BuyBoxSnapshot.objects.filter(Exists(competing))
        .values("market")
        .annotate(held=Count("pk", filter=Q(winner__seller_id=seller_id)), competing=Count("pk"))
        .values_list("market", "held", "competing")
        .order_by("market")
    )
    return list(rows)


@dataclass(frozen=True)
class ShareDay:
    day: dt.date
    market: str
    held: int
    competing: int


def buy_box_share_history(*, seller: Seller, first: dt.date, last: dt.date) -> list[ShareDay]:
    """The seller's daily buy-box share per market from ``first`` to ``last``, oldest first. One query."""
    rows = BuyBoxShareSnapshot.objects.filter(seller=seller, day__gte=first, day__lte=last).order_by("day", "market")
    return [ShareDay(r.day, r.market, r.held, r.competing) for r in rows]
