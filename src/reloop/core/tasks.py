"""Send work to the task queue after the current transaction commits (ADR 0025).

Any layer may hand work to a worker by the task's *name* (``enqueue("reloop.apply_offer_import", import_id=3)``):
the tasks are declared in ``reloop.ops.tasks`` (the top layer), so core and the domain apps never import them.
The message leaves only when the sender's transaction commits, so a worker never sees a row that was rolled back;
without a broker (the embedded default) the task runs in this process at that moment.

Sending is best effort: when the broker cannot be reached the failure is logged and the work is picked up later by
the sweep job that owns it (``apply_offer_imports``, ``relay_outbox``), never lost.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(name: str, /, **kwargs: Any) -> None:
    """Send task ``name`` now (eagerly run it without a broker). Failures are logged unless events are strict."""
    from reloop.celery_app import app  # the Celery app is a root module, outside the layers

    try:
        app.tasks[name].apply_async(kwargs=kwargs)
    except Exception:  # the owning sweep job picks the work up later; the caller's write has committed
        logger.exception("could not run or send task %s %r", name, kwargs)
        if settings.RELOOP_STRICT_EVENTS:
            raise


def enqueue(name: str, /, *, using: str = "default", **kwargs: Any) -> None:
    """Send task ``name`` with ``kwargs`` once the current transaction commits (at once outside one)."""
    json.dumps(kwargs)  # what a broker could not carry fails here, in the embedded default and tests too
    transaction.on_commit(lambda: send_now(name, **kwargs), using=using)
