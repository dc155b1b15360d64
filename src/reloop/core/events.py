"""The event bus: how a lower layer tells a higher one that something happened (ADR 0026).

A service publishes a past-tense event (``OffersChanged``) inside its transaction. The event is written to the
transactional outbox (``core.outbox``) in that same transaction, so it exists exactly when the change does; once
the transaction commits it is handed to the task queue (``reloop.deliver_event``): a worker in production, this
process at once in the embedded default (no broker, ADR 0025). Handlers never see data that was rolled back and
never hold the writer's locks. The relay job delivers whatever a crashed process or an unreachable broker left.

Handlers are subscribed in one place, ``reloop.ops.subscriptions`` (the top layer, which may import every app),
when Django starts; each one runs once per event (``core.outbox``) and must be idempotent. No Django model
signals. An event nobody subscribes to is not stored.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from reloop.core import outbox
from reloop.core.tasks import enqueue

logger = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)
#: Event types delivered before the web response that caused them, even without a broker (ADR 0043).
_before_response: set[type] = set()


def subscribe(event_type: type[E], handler: Callable[[E], None], *, before_response: bool = False) -> None:
    """``before_response``: the handler updates what shoppers see (buy boxes, page cache, search), so without a
    broker the event is delivered when its transaction commits, not held until the response is sent: the next page
    any process serves shows the change. With a broker every delivery is a worker's."""
    outbox.register_type(event_type)
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)
    if before_response:
        _before_response.add(event_type)


def delivered_before_response(event_type: type) -> bool:
    """Whether ``event_type`` is delivered at commit even while a web request is being served (ADR 0043)."""
    return event_type in _before_response


def handlers_for(event_type: type) -> list[Handler]:
    return list(_handlers.get(event_type, ()))


def publish(event: object, *, using: str = "default") -> None:
    """Store ``event`` with the current transaction's change and deliver it once that commits (at once outside one).

    A failing handler is logged and retried by the relay; it does not affect the other handlers or the committed
    write (``RELOOP_STRICT_EVENTS`` re-raises it, as the test suite asks).
    """
    if not handlers_for(type(event)):
        return
    event_id = outbox.record(event, using=using)
    enqueue(
        "reloop.deliver_event",
        using=using,
        may_follow_response=not delivered_before_response(type(event)),
        event_id=event_id,
        database=using,
    )
