"""The transactional outbox (ADR 0026): events stored with the change, delivered at least once, handled once.

``record`` writes an event in the caller's transaction. ``deliver`` runs the event's handlers: each handler claims
the event first (``HandledEvent``, unique per event and handler), so a duplicate delivery — the on-commit fast
path and the relay racing, a redelivered task, the same event handed over twice — runs no handler a second time.
Handlers may run in any order across events: each one reads the current state (a buy-box refresh recomputes from
the offers), so reordering changes nothing. A failed handler releases its claim and the event is retried with
backoff by ``relay``; a claim left by a process that died is taken over after the lease.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from reloop.core.models import HandledEvent, OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[Any], None]

#: Event classes by topic: filled by ``core.events.subscribe`` (only subscribed events are stored).
_types: dict[str, type] = {}


def topic_of(event_type: type) -> str:
    return f"{event_type.__module__}.{event_type.__qualname__}"


def register_type(event_type: type) -> None:
    if not dataclasses.is_dataclass(event_type):
        raise TypeError(f"{event_type!r}: events are dataclasses, so the outbox can store them")
    _types[topic_of(event_type)] = event_type


def handler_key(handler: Handler) -> str:
    module = getattr(handler, "__module__", None) or type(handler).__module__
    name = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{name}"[:200]


# --- Encoding -------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def encode(event: object) -> dict[str, Any]:
    return {f.name: _plain(getattr(event, f.name)) for f in dataclasses.fields(event)}  # type: ignore[arg-type]


def _rebuild(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _rebuild(inner[0], value) if len(inner) == 1 else value
    args = typing.get_args(hint)
    if hint is frozenset or origin is frozenset:  # elements rebuilt too: a set of pairs comes back as lists
        return frozenset(_rebuild(args[0], v) for v in value) if args else frozenset(value)
    if hint is tuple or origin is tuple:
        if args and Ellipsis not in args and len(args) == len(value):
            return tuple(_rebuild(a, v) for a, v in zip(args, value, strict=True))
        return tuple(_rebuild(args[0], v) for v in value) if len(args) == 2 and args[1] is Ellipsis else tuple(value)
    return value


def decode(event_type: type, payload: Mapping[str, Any]) -> object:
    hints = typing.get_type_hints(event_type)
    fields = {f.name for f in dataclasses.fields(event_type)}
    return event_type(**{k: _rebuild(hints.get(k), v) for k, v in payload.items() if k in fields})


# --- Writing ----------------------------------------------------------------------------------------------


def record(event: object, *, using: str = "default") -> int:
    """Store ``event`` in the current transaction (it exists only if the change commits). Returns its id."""
    register_type(type(event))
    row = OutboxEvent.objects.using(using).create(
        topic=topic_of(type(event)), payload=encode(event), created_at=timezone.now()
    )
    return row.pk


# --- Delivering -------------------------------------------------------------------------------------------


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "RELOOP_OUTBOX_LEASE_SECONDS", 600)))


def _claim(event_id: int, key: str, using: str) -> bool:
    """True when this caller may run handler ``key`` for the event: a new claim, or one whose lease ran out."""
    now = timezone.now()
    try:
        if transaction.get_connection(using).in_atomic_block:
            with transaction.atomic(using=using):  # a savepoint: a duplicate must not break the caller's transaction
                HandledEvent.objects.using(using).create(event_id=event_id, handler=key, claimed_at=now)
        else:  # autocommit: the insert is its own transaction (one statement, not BEGIN, INSERT, COMMIT)
            HandledEvent.objects.using(using).create(event_id=event_id, handler=key, claimed_at=now)
        return True
    except IntegrityError:
        stale = now - lease()
        taken = (
            HandledEvent.objects.using(using)
            .filter(event_id=event_id, handler=key, done_at__isnull=True, claimed_at__lt=stale)
            .update(claimed_at=now)
        )
        return bool(taken)


def _handlers(event_type: type) -> list[Handler]:
    from reloop.core.events import handlers_for

    return handlers_for(event_type)


def deliver(event_id: int, *, using: str = "default") -> bool:
    """Run every handler of the event that has not run yet; True when the event is fully delivered.

    A failing handler is logged (re-raised with ``RELOOP_STRICT_EVENTS``), releases its claim and does not stop
    the others; the event is then retried by ``relay`` with exponential backoff.
    """
    row = OutboxEvent.objects.using(using).filter(pk=event_id).first()
    if row is None or row.delivered_at is not None:
        return True
    event_type = _types.get(row.topic)
    if event_type is None:
        _failed(row, f"no event class registered for {row.topic}", using)
        return False
    event = decode(event_type, row.payload)
    handlers = _handlers(event_type)
    errors: list[str] = []
    finished: set[str] = set()
    for handler in handlers:
        key = handler_key(handler)
        if not _claim(row.pk, key, using):
            continue  # run already, or running elsewhere
        try:
            handler(event)
        except Exception as exc:  # one handler's failure must not stop the others nor lose the event
            HandledEvent.objects.using(using).filter(event_id=row.pk, handler=key, done_at__isnull=True).delete()
            logger.exception("Handler %s failed for outbox event #%s %r", key, row.pk, event)
            _failed(row, f"{key}: {exc!r}", using)
            if settings.RELOOP_STRICT_EVENTS:
                raise
            errors.append(key)
            continue
        HandledEvent.objects.using(using).filter(event_id=row.pk, handler=key).update(done_at=timezone.now())
        finished.add(key)
    if errors:
        return False
    keys = {handler_key(h) for h in handlers}
    done = finished  # every handler ran here: nothing to read back (the usual case, one delivery)
    if not keys <= finished:  # some ran elsewhere, or are running there: their claims say whether they finished
        done = set(
            HandledEvent.objects.using(using)
            .filter(event_id=row.pk, handler__in=keys, done_at__isnull=False)
            .values_list("handler", flat=True)
        )
    if keys <= done:
        OutboxEvent.objects.using(using).filter(pk=row.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
        return True
    return False


def _failed(row: OutboxEvent, error: str, using: str) -> None:
    attempts = row.attempts + 1
    backoff = dt.timedelta(seconds=min(3600, 5 * 2 ** min(attempts, 10)))
    OutboxEvent.objects.using(using).filter(pk=row.pk).update(
        attempts=attempts, next_attempt_at=timezone.now() + backoff, last_error=error[:2000]
    )
    row.attempts = attempts


def pending(*, min_age: dt.timedelta, limit: int, using: str = "default") -> list[int]:
    """Ids of undelivered events at least ``min_age`` old whose retry time has come, oldest first."""
    now = timezone.now()
    return list(
        OutboxEvent.objects.using(using)
        .filter(delivered_at__isnull=True, created_at__lte=now - min_age)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def relay(*, min_age: dt.timedelta = dt.timedelta(seconds=5), limit: int = 1000, using: str = "default") -> int:
    """Deliver what the on-commit path did not (a process died, a broker was down, a handler failed).

    ``min_age`` leaves fresh events to their fast path. Returns how many events it delivered fully.
    """
    delivered = 0
    for event_id in pending(min_age=min_age, limit=limit, using=using):
        try:
            delivered += deliver(event_id, using=using)
        except Exception:  # strict mode re-raises in tests; in production one bad event must not block the rest
            logger.exception("outbox event #%s could not be delivered", event_id)
            if settings.RELOOP_STRICT_EVENTS:
                raise
    return delivered


def relay_outbox() -> int:
    """The scheduled job."""
    return relay()


def lag_seconds(*, using: str = "default") -> float:
    """Age in seconds of the oldest undelivered event (0 when everything is delivered): the relay's lag."""
    oldest = OutboxEvent.objects.using(using).filter(delivered_at__isnull=True).aggregate(m=Min("created_at"))["m"]
    return max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0


def undelivered_count(*, using: str = "default") -> int:
    return OutboxEvent.objects.using(using).filter(delivered_at__isnull=True).count()


def purge_delivered(*, older_than: dt.timedelta = dt.timedelta(days=7), using: str = "default") -> int:
    """Delete delivered events (and their claims) older than ``older_than``. Scheduled job; returns how many."""
    cutoff = timezone.now() - older_than
    ids = list(OutboxEvent.objects.using(using).filter(delivered_at__lt=cutoff).values_list("pk", flat=True)[:10_000])
    if not ids:
        return 0
    deleted, _by_model = OutboxEvent.objects.using(using).filter(pk__in=ids).delete()  # claims cascade
    return len(ids) if deleted else 0


def purge_outbox() -> int:
    return purge_delivered()
