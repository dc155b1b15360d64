"""The on-commit event bus: how a lower layer tells a higher one that something happened.

A service publishes a past-tense event (``OfferChanged``) inside its transaction; handlers run after the
transaction commits, so they never see data that was rolled back and never hold the writer's locks. Handlers are
subscribed in one place, ``reloop.ops.subscriptions`` (the top layer, which may import every app), when Django
starts. No Django model signals.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def handlers_for(event_type: type) -> list[Handler]:
    return list(_handlers.get(event_type, ()))


def publish(event: object, *, using: str = "default") -> None:
    """Deliver ``event`` to its handlers once the current transaction commits (at once outside one).

    A failing handler is logged and does not affect the others or the committed write: derived data such as
    buy-box snapshots can always be rebuilt from the source of truth.
    """

    def deliver() -> None:
        for handler in handlers_for(type(event)):
            try:
                handler(event)
            except Exception:  # a handler's failure must not undo or hide the committed write
                logger.exception("Handler %r failed for %r", handler, event)
                if settings.RELOOP_STRICT_EVENTS:
                    raise

    transaction.on_commit(deliver, using=using, robust=False)
