"""The transactional outbox: events exist exactly when their change commits; each handler runs once per event,
whatever the number and order of deliveries; failures and dead processes are retried by the relay."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction

from reloop.core import clock, events, outbox
from reloop.core.models import HandledEvent, OutboxEvent

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ThingsMoved:
    thing_ids: frozenset[int]
    markets: frozenset[str] | None = None
    note: str = ""


@dataclass(frozen=True)
class NobodyListens:
    n: int


class Recorder:
    """A handler that counts its calls per event (what a non-idempotent side effect would do twice)."""

    def __init__(self, name: str, fail_times: int = 0) -> None:
        self.__qualname__ = f"Recorder.{name}"
        self.seen: list[ThingsMoved] = []
        self.fail_times = fail_times

    def __call__(self, event: ThingsMoved) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("provider down")
        self.seen.append(event)


def test_an_event_is_stored_in_the_transaction_of_its_change_and_is_gone_if_that_rolls_back(subscribed):
    subscribed(Recorder("a"))
    # when one change commits and another rolls back
    with transaction.atomic():
        events.publish(ThingsMoved(frozenset({1, 2}), markets=frozenset({"fr-fr"}), note="kept"))

    class Boom(Exception):
        pass

    def change_that_fails() -> None:
        with transaction.atomic():
            events.publish(ThingsMoved(frozenset({3})))
            raise Boom

    with pytest.raises(Boom):
        change_that_fails()
    # then only the committed one is in the outbox, with its fields as they were
    (row,) = OutboxEvent.objects.all()
    assert row.topic.endswith("test_outbox.ThingsMoved")
    assert row.payload == {"thing_ids": [1, 2], "markets": ["fr-fr"], "note": "kept"}
    assert outbox.decode(ThingsMoved, row.payload) == ThingsMoved(frozenset({1, 2}), frozenset({"fr-fr"}), "kept")


def test_an_event_nobody_subscribes_to_is_not_stored():
    events.publish(NobodyListens(1))
    assert not OutboxEvent.objects.exists()


def test_on_commit_delivers_to_every_handler_once(subscribed, django_capture_on_commit_callbacks):
    a, b = Recorder("a"), Recorder("b")
    subscribed(a, b)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.publish(ThingsMoved(frozenset({7})))
    assert a.seen == b.seen == [ThingsMoved(frozenset({7}))]
    row = OutboxEvent.objects.get()
    assert row.delivered_at is not None
    assert HandledEvent.objects.filter(event=row, done_at__isnull=False).count() == 2


def test_duplicate_and_reordered_deliveries_run_each_handler_once_per_event(subscribed):
    a, b = Recorder("a"), Recorder("b")
    subscribed(a, b)
    # given three events whose on-commit delivery never happened (the process died after commit)
    with transaction.atomic():
        for i in range(3):
            events.publish(ThingsMoved(frozenset({i})))
    ids = list(OutboxEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert a.seen == []
    # when they are delivered newest first, each twice, then the relay sweeps them all again
    for event_id in [*reversed(ids), *reversed(ids)]:
        assert outbox.deliver(event_id) is True
    assert outbox.relay(min_age=dt.timedelta(0)) == 0  # nothing left to deliver
    # then every handler saw every event exactly once
    assert sorted(min(e.thing_ids) for e in a.seen) == [0, 1, 2]
    assert sorted(min(e.thing_ids) for e in b.seen) == [0, 1, 2]
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()


def test_the_relay_delivers_what_the_on_commit_path_lost(subscribed):
    a = Recorder("a")
    subscribed(a)
    with transaction.atomic():
        events.publish(ThingsMoved(frozenset({5})))
    assert outbox.undelivered_count() == 1
    # a fresh event is left to its own fast path
    assert outbox.relay() == 0
    OutboxEvent.objects.update(created_at=clock.now() - dt.timedelta(minutes=1))
    assert outbox.lag_seconds() >= 60
    assert outbox.relay() == 1
    assert a.seen == [ThingsMoved(frozenset({5}))]
    assert outbox.lag_seconds() == 0
    assert outbox.undelivered_count() == 0


def test_a_failing_handler_is_retried_with_backoff_and_the_others_run_once(subscribed, settings):
    settings.RELOOP_STRICT_EVENTS = False
    ok, flaky = Recorder("ok"), Recorder("flaky", fail_times=1)
    subscribed(ok, flaky)
    with transaction.atomic():
        events.publish(ThingsMoved(frozenset({9})))
    event_id = OutboxEvent.objects.get().pk
    # when the first delivery meets the failure
    assert outbox.deliver(event_id) is False
    row = OutboxEvent.objects.get()
    assert (row.attempts, row.delivered_at) == (1, None)
    assert "provider down" in row.last_error
    assert row.next_attempt_at > clock.now()
    # then the relay waits for the backoff, and once it is over delivers only to the handler that failed
    assert outbox.relay(min_age=dt.timedelta(0)) == 0
    OutboxEvent.objects.update(next_attempt_at=clock.now() - dt.timedelta(seconds=1))
    assert outbox.relay(min_age=dt.timedelta(0)) == 1
    assert ok.seen == flaky.seen == [ThingsMoved(frozenset({9}))]


def test_a_claim_left_by_a_dead_process_is_taken_over_after_the_lease(subscribed, settings):
    a = Recorder("a")
    subscribed(a)
    with transaction.atomic():
        events.publish(ThingsMoved(frozenset({4})))
    row = OutboxEvent.objects.get()
    # given a process that claimed the event for this handler and died before finishing
    HandledEvent.objects.create(event=row, handler=outbox.handler_key(a), claimed_at=clock.now())
    # then while the lease runs nobody runs the handler a second time
    assert outbox.deliver(row.pk) is False
    assert a.seen == []
    # and after it, the relay does
    settings.RELOOP_OUTBOX_LEASE_SECONDS = 60
    HandledEvent.objects.update(claimed_at=clock.now() - dt.timedelta(seconds=61))
    assert outbox.deliver(row.pk) is True
    assert a.seen == [ThingsMoved(frozenset({4}))]


def test_strict_mode_reraises_a_failing_handler(subscribed):
    subscribed(Recorder("boom", fail_times=5))
    with transaction.atomic():
        events.publish(ThingsMoved(frozenset({1})))
    with pytest.raises(RuntimeError, match="provider down"):
        outbox.deliver(OutboxEvent.objects.get().pk)
    assert not HandledEvent.objects.exists()  # the claim was released: a retry runs it


def test_purge_forgets_old_delivered_events_only(subscribed):
    subscribed(Recorder("a"))
    with transaction.atomic():
        events.publish(ThingsMoved(frozenset({1})))
        events.publish(ThingsMoved(frozenset({2})))
    first, second = OutboxEvent.objects.order_by("pk")
    outbox.deliver(first.pk)
    OutboxEvent.objects.filter(pk=first.pk).update(delivered_at=clock.now() - dt.timedelta(days=8))
    assert outbox.purge_delivered() == 1
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [second.pk]
