"""Quality writes: the daily snapshot of each seller, its warnings and suspensions, and the published score.

``compute_quality_scores`` is the scheduled job (``ops/jobs.py``). Its unit of work is one seller on one day,
claimed by inserting that day's ``QualitySnapshot`` (unique per seller and day): a second run, or a second process,
finds the day taken and does nothing, so running it twice is running it once. Inside the same transaction the
score is published to ``sellers`` (the buy-box penalty reads it) and, when the verdict says so, the seller is
suspended; both refresh the seller's buy boxes after commit, and the owners get an email after commit too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from reloop.core import clock
from reloop.quality import conf, domain, notifications, selectors
from reloop.quality.models import BuyBoxShareSnapshot, QualitySnapshot, QualityWarning, WarningKind
from reloop.sellers.models import Seller, Standing
from reloop.sellers.services import set_quality_score, set_seller_standing


@dataclass(frozen=True)
class Outcome:
    snapshot: QualitySnapshot
    verdict: domain.Verdict
    suspended: bool


@transaction.atomic(durable=True)
def record_quality(
    *, seller: Seller, day: dt.date, counts: domain.Counts, start: dt.datetime, end: dt.datetime
) -> Outcome | None:
    """Store ``seller``'s snapshot for ``day`` and act on it; ``None`` when that day is already recorded.

    Warnings are opened for rates newly over their threshold and closed for rates back under; an active seller
    over a hard limit, or still over a threshold after the grace period, is suspended (``set_seller_standing``).
    The warnings behind a suspension are closed with it, so a seller an operator reinstates gets a new grace
    period. A suspended seller is never reinstated here: an operator decides that.
    """
    limits = conf.limits()
    metrics = domain.metrics_from(counts)
    try:
        with transaction.atomic():
            snapshot = QualitySnapshot.objects.create(
                seller=seller,
                day=day,
                window_start=start,
                window_end=end,
                delivered_units=counts.delivered_units,
                defects=counts.defects,
                lines=counts.lines,
                cancellations=counts.cancellations,
                shipped_lines=counts.shipped_lines,
                late_shipments=counts.late_shipments,
                answered_cases=len(counts.answer_hours),
                answer_hours=metrics.answer_hours,
                rating_sum=counts.rating_sum,
                rating_count=counts.rating_count,
                score=domain.score(metrics, limits),
            )
    except IntegrityError:  # this seller's day is recorded already (an earlier run or another process)
        return None
    verdict = domain.verdict(metrics, limits, open_warnings=selectors.open_warnings(seller_id=seller.pk), today=day)
    if verdict.resolve:
        QualityWarning.objects.filter(
            seller=seller, kind=WarningKind.WARNING, resolved_on__isnull=True, metric__in=verdict.resolve
        ).update(resolved_on=day)

    def row(metric: domain.Metric, kind: str) -> QualityWarning:
        value = metrics.rate(metric).value
        assert value is not None  # noqa: S101  # only a rate with a value can be over a threshold
        return QualityWarning(
            seller=seller,
            snapshot=snapshot,
            kind=kind,
            metric=metric.value,
            value=value,
            limit=limits.warning(metric),
            opened_on=day,
        )

    # A suspended seller sells nothing: it gets no new warnings until an operator reinstates it (then a new grace
    # period starts with the first warning).
    warn = verdict.warn if seller.standing == Standing.ACTIVE else []
    notices = QualityWarning.objects.bulk_create([row(m, WarningKind.WARNING) for m in warn])
    suspended = False
    if verdict.suspend and seller.standing == Standing.ACTIVE:
        notices += QualityWarning.objects.bulk_create([row(m, WarningKind.SUSPENSION) for m in verdict.suspend_for])
        # The warnings end with the suspension: if an operator reinstates the seller, a new grace period starts.
        QualityWarning.objects.filter(
            seller=seller, kind=WarningKind.WARNING, resolved_on__isnull=True, metric__in=verdict.suspend_for
        ).update(resolved_on=day, ended_in_suspension=True)
        set_seller_standing(seller=seller, standing=Standing.SUSPENDED)
        suspended = True
    set_quality_score(seller=seller, score=snapshot.score)
    notifications.on_commit(seller_id=seller.pk, warning_ids=[w.pk for w in notices])
    return Outcome(snapshot=snapshot, verdict=verdict, suspended=suspended)


def compute_quality_scores(*, day: dt.date | None = None) -> int:
    """The daily job: a snapshot, score and verdict for every vetted seller not yet done for ``day`` (today by
    default). Returns how many snapshots it wrote (0 on a second run the same day)."""
    now = clock.now()
    day = day or now.date()
    start, end = selectors.window(day)
    end = min(end, now)
    written = 0
    for seller in selectors.sellers_to_score():
        record_buy_box_share(seller_id=seller.pk, day=day)
        if QualitySnapshot.objects.filter(seller=seller, day=day).exists():
            continue
        counts = selectors.seller_counts(seller_id=seller.pk, start=start, end=end)
        if record_quality(seller=seller, day=day, counts=counts, start=start, end=end) is not None:
            written += 1
    return written


def record_buy_box_share(*, seller_id: int, day: dt.date) -> int:
    """Keep the seller's buy-box share per market as it stands, as ``day``'s (the daily job runs it before the
    quality snapshot). Once per seller, market and day: a second run, or two at once, write nothing more (the
    unique constraint). Returns how many rows it wrote."""
    if BuyBoxShareSnapshot.objects.filter(seller_id=seller_id, day=day).exists():
        return 0
    rows = [
        BuyBoxShareSnapshot(seller_id=seller_id, market=market, day=day, held=held, competing=competing)
        for market, held, competing in selectors.buy_box_share_now(seller_id=seller_id)
    ]
    return len(BuyBoxShareSnapshot.objects.bulk_create(rows, ignore_conflicts=True))
