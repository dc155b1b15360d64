"""Send work to the task queue after the current transaction commits (ADR 0025).

Any layer may hand work to a worker by the task's *name* (``enqueue("reloop.apply_offer_import", import_id=3)``):
the tasks are declared in ``reloop.ops.tasks`` (the top layer), so core and the domain apps never import them.
The message leaves only when the sender's transaction commits, so a worker never sees a row that was rolled back;
without a broker (the embedded default) the task runs in this process at that moment — or, when it is sent while
this thread serves a web request, once the response has been sent (ADR 0043): the buyer who paid does not wait for
the invoice PDF and the emails, as with a worker; the tasks still run in this process, in the order they were sent,
before it serves its next request. Deliveries of events that change what shoppers see (buy boxes, page cache, search)
are never held: another process's next page shows the change.

Sending is best effort: when the broker cannot be reached the failure is logged and the work is picked up later by
the sweep job that owns it (``apply_offer_imports``, ``relay_outbox``), never lost.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

#: Per thread: the tasks sent (eagerly) while the thread serves a request, run once its response is sent.
_request = threading.local()


def send_now(name: str, /, *, may_follow_response: bool = True, **kwargs: Any) -> None:
    """Send task ``name`` now (eagerly run it without a broker). Failures are logged unless events are strict.

    ``may_follow_response=False``: a task whose effect the next request of any process must see (a buy box, a page
    cache version) runs at once even while a request is being served, never held until its response is sent."""
    after_response: list[tuple[str, dict[str, Any]]] | None = getattr(_request, "after_response", None)
    if after_response is not None and may_follow_response:
        after_response.append((name, kwargs))
        return
    from reloop.celery_app import app  # the Celery app is a root module, outside the layers

    try:
        app.tasks[name].apply_async(kwargs=kwargs)
    except Exception:  # the owning sweep job picks the work up later; the caller's write has committed
        logger.exception("could not run or send task %s %r", name, kwargs)
        if settings.RELOOP_STRICT_EVENTS:
            raise


def enqueue(name: str, /, *, using: str = "default", may_follow_response: bool = True, **kwargs: Any) -> None:
    """Send task ``name`` with ``kwargs`` once the current transaction commits (at once outside one); see
    ``send_now`` for ``may_follow_response``."""
    json.dumps(kwargs)  # what a broker could not carry fails here, in the embedded default and tests too
    transaction.on_commit(lambda: send_now(name, may_follow_response=may_follow_response, **kwargs), using=using)


# --- The embedded default: a request's tasks run after its response (ADR 0043) ------------------------------


def request_started(**_: Any) -> None:
    """Connected to Django's ``request_started``: without a broker, hold this thread's tasks until the response
    is sent. A previous request's tasks still held (its server never closed the response) run first."""
    run_after_response()
    if settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "RELOOP_TASKS_AFTER_RESPONSE", True):
        _request.after_response = []


def run_after_response(**_: Any) -> None:
    """Connected to Django's ``request_finished`` (sent when the server closes the response, after its last byte):
    run the tasks the request sent, in order, each as ``send_now`` would have. One failing task does not stop the
    others; with ``RELOOP_STRICT_EVENTS`` the first failure is raised once all have run."""
    held: list[tuple[str, dict[str, Any]]] | None = getattr(_request, "after_response", None)
    _request.after_response = None
    failure: Exception | None = None
    while held:  # a task sends its own tasks at once (no request is being served any more)
        name, kwargs = held.pop(0)
        try:
            send_now(name, **kwargs)
        except Exception as exc:  # send_now logged it; strict mode re-raises below
            failure = failure or exc
    if failure is not None:
        raise failure
