"""Round trips of an outbox delivery (issue 15): outside a transaction a handler's claim is one statement, and an
event whose handlers all ran in this delivery is marked delivered without reading the claims back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reloop.core import outbox
from reloop.core.models import HandledEvent, OutboxEvent
from reloop.core.tests.test_outbox import Recorder, ThingsMoved

pytestmark = pytest.mark.django_db(transaction=True)  # autocommit, as a worker or a request after its response


def recorded(thing: int) -> int:
    with transaction.atomic():
        return outbox.record(ThingsMoved(frozenset({thing})))


def test_a_first_delivery_of_a_two_handler_event_is_six_statements(subscribed: Callable[..., None]) -> None:
    a, b = Recorder("a"), Recorder("b")
    subscribed(a, b)
    event_id = recorded(1)

    with CaptureQueriesContext(connection) as queries:
        assert outbox.deliver(event_id) is True

    # the event; per handler its claim (one INSERT, no BEGIN/COMMIT around it) and its finish; the event delivered
    verbs = [q["sql"].split()[0] for q in queries.captured_queries]
    assert verbs == ["SELECT", "INSERT", "UPDATE", "INSERT", "UPDATE", "UPDATE"]
    assert a.seen == b.seen == [ThingsMoved(frozenset({1}))]
    assert OutboxEvent.objects.get(pk=event_id).delivered_at is not None
    assert HandledEvent.objects.filter(event_id=event_id, done_at__isnull=False).count() == 2


def test_a_delivery_that_found_a_handler_run_elsewhere_reads_the_claims_before_marking_it(
    subscribed: Callable[..., None],
) -> None:
    a, b = Recorder("a"), Recorder("b")
    subscribed(a, b)
    event_id = recorded(2)
    # handler a ran in another delivery that died before marking the event delivered
    created = OutboxEvent.objects.get(pk=event_id).created_at
    HandledEvent.objects.create(event_id=event_id, handler=outbox.handler_key(a), claimed_at=created, done_at=created)

    assert outbox.deliver(event_id) is True

    assert a.seen == []  # not run twice
    assert b.seen == [ThingsMoved(frozenset({2}))]
    assert OutboxEvent.objects.get(pk=event_id).delivered_at is not None


def test_a_delivery_while_another_handler_is_still_running_leaves_the_event_undelivered(
    subscribed: Callable[..., None],
) -> None:
    a, b = Recorder("a"), Recorder("b")
    subscribed(a, b)
    event_id = recorded(3)
    created = OutboxEvent.objects.get(pk=event_id).created_at
    HandledEvent.objects.create(event_id=event_id, handler=outbox.handler_key(a), claimed_at=created)  # running

    assert outbox.deliver(event_id) is False

    assert b.seen == [ThingsMoved(frozenset({3}))]
    assert OutboxEvent.objects.get(pk=event_id).delivered_at is None
