"""Offer imports (docs/offer-import.md, ADR 0014): a seller's CSV file becomes a report, then is applied as announced.

``validate_offer_import`` reads the file and plans it against the seller's offers without writing any offer, and
stores the file with its report. ``queue_offer_import`` records the seller's decision (apply; with
``skip_invalid``, skip the refused lines) and ``apply_offer_import`` writes it in one transaction whose first
statement claims the import (queued → applied, a conditional update): a second apply, a retried request, the job
and a thread racing for the same import all find nothing to claim and write nothing. The stored file is planned
again inside that transaction; when the result differs from the report the seller approved (their offers changed
meanwhile), nothing is written and the import goes back to "validated" with the new report.

How the web runs the apply is ``RELOOP_IMPORT_APPLY``: the task ``reloop.apply_offer_import`` on a worker, sent
after commit (default; without a broker it runs at once in the sending process, ADR 0025), a thread of the web
process, inline, or only the ``apply_offer_imports`` job, which also picks up what a lost task or thread left.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import astuple
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.core.clock import now
from reloop.core.errors import InvalidInput, NotFound
from reloop.core.tasks import enqueue
from reloop.offers.bulk import Plan, Progress, Summary, apply_plan, plan_changes
from reloop.offers.csv_io import LineError, ParsedFile, parse_offer_csv
from reloop.offers.errors import InvalidOffer
from reloop.offers.models import ImportStatus, OfferImport
from reloop.offers.services import check_may_change_offers
from reloop.sellers.models import Seller

logger = logging.getLogger(__name__)

#: A thread that has not finished an import after this long is presumed gone; the job applies it.
THREAD_GRACE = timedelta(minutes=2)
PROGRESS_TTL_S = 3600


class ImportNotFound(NotFound):
    code = "import_not_found"


class ImportHasErrors(InvalidInput):
    code = "import_has_errors"


def max_lines() -> int:
    return int(settings.RELOOP_IMPORT_MAX_LINES)


def max_bytes() -> int:
    return int(settings.RELOOP_IMPORT_MAX_BYTES)


def _parse(data: bytes) -> ParsedFile:
    return parse_offer_csv(data, max_lines=max_lines(), max_bytes=max_bytes())


def _plan(seller: Seller, parsed: ParsedFile) -> Plan:
    return plan_changes(seller=seller, changes=parsed.changes, errors=parsed.errors, lines=parsed.lines)


def _stored_errors(errors: list[LineError]) -> list[list[Any]]:
    return [list(astuple(e)) for e in errors]


def stored_errors(offer_import: OfferImport) -> list[LineError]:
    return [LineError(*e) for e in offer_import.errors]


def validate_offer_import(*, actor: User | None, seller: Seller, filename: str, data: bytes) -> OfferImport:
    """Read and plan ``data``; store it with its report. Raises ``FileRefused`` (nothing stored) for a file that
    cannot be read as a whole. No offer is written."""
    parsed = _parse(data)
    plan = _plan(seller, parsed)
    with transaction.atomic(durable=True):
        return OfferImport.objects.create(
            seller=seller,
            created_by=actor,
            filename=filename[:255],
            content=data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"),
            summary=plan.summary.as_dict(),
            errors=_stored_errors(plan.errors),
        )


def seller_import(*, seller: Seller, import_id: int) -> OfferImport:
    """One of the seller's imports; another seller's is answered exactly like a missing one."""
    found = OfferImport.objects.filter(seller=seller, pk=import_id).first()
    if found is None:
        raise ImportNotFound(_("No import %(id)s") % {"id": import_id})
    return found


def recent_imports(*, seller: Seller, limit: int = 10) -> list[OfferImport]:
    """The seller's latest imports, newest first, without their file and errors (one query)."""
    return list(OfferImport.objects.filter(seller=seller).defer("content", "errors").order_by("-pk")[:limit])


def queue_offer_import(*, actor: User | None, seller: Seller, import_id: int, skip_invalid: bool) -> OfferImport:
    """Approve the report: the import will be applied. Idempotent (an import already queued or applied is returned
    as it is). Refused with ``import_has_errors`` when the report has errors and ``skip_invalid`` is not set."""
    check_may_change_offers(seller)
    with transaction.atomic(durable=True):
        offer_import = seller_import(seller=seller, import_id=import_id)
        if offer_import.status != ImportStatus.VALIDATED:
            return offer_import
        if Summary.from_dict(offer_import.summary).errors and not skip_invalid:
            raise ImportHasErrors(
                _("The report lists lines with errors: fix them and upload the file again, or skip those lines")
            )
        OfferImport.objects.filter(pk=offer_import.pk, status=ImportStatus.VALIDATED).update(
            status=ImportStatus.QUEUED, skip_invalid=skip_invalid, queued_at=now(), message=""
        )
        offer_import.refresh_from_db()
        return offer_import


class _ReportOutdated(Exception):
    def __init__(self, plan: Plan) -> None:
        self.plan = plan


def apply_offer_import(*, import_id: int, progress: Progress | None = None) -> OfferImport:
    """Apply a queued import exactly as its report announced, at most once (see the module docstring)."""
    set_progress(import_id, phase="applying", done=0, total=0)

    def report(done: int, total: int) -> None:
        set_progress(import_id, phase="applying", done=done, total=total)
        if progress is not None:
            progress(done, total)

    try:
        with transaction.atomic(durable=True):
            claimed = OfferImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
                status=ImportStatus.APPLIED, applied_at=now()
            )
            offer_import = OfferImport.objects.select_related("seller").get(pk=import_id)
            if not claimed:
                return offer_import  # applied already, or never queued: nothing happens twice
            plan = _plan(offer_import.seller, _parse(offer_import.content.encode("utf-8")))
            if plan.summary != Summary.from_dict(offer_import.summary):
                raise _ReportOutdated(plan)
            transaction.on_commit(lambda: set_progress(import_id, phase="refreshing", done=1, total=1))
            apply_plan(plan, progress=report)
    except _ReportOutdated as outdated:
        _renew_report(
            import_id,
            outdated.plan,
            _("Your offers changed since this report was made: nothing was applied. Check the new report."),
        )
    except InvalidOffer as exc:  # a database constraint refused a row: everything was rolled back
        _fail(import_id, exc.message)
    set_progress(import_id, phase="done", done=1, total=1)
    return OfferImport.objects.get(pk=import_id)


def _renew_report(import_id: int, plan: Plan, message: str) -> None:
    with transaction.atomic(durable=True):
        OfferImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.VALIDATED,
            summary=plan.summary.as_dict(),
            errors=_stored_errors(plan.errors),
            message=message,
            queued_at=None,
        )


def _fail(import_id: int, message: str) -> None:
    with transaction.atomic(durable=True):
        OfferImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, message=message
        )


# --- Progress (in the cache: the apply transaction cannot publish it through the database) ---------------


def _progress_key(import_id: int) -> str:
    return f"reloop:offer-import:{import_id}:progress"


def set_progress(import_id: int, *, phase: str, done: int, total: int) -> None:
    cache.set(_progress_key(import_id), {"phase": phase, "done": done, "total": total}, PROGRESS_TTL_S)


def import_progress(import_id: int) -> dict[str, Any] | None:
    """``{"phase", "done", "total"}`` while an import runs; None when this process's cache does not know (with a
    per-process cache and several web processes: the page then shows progress without a percentage)."""
    value = cache.get(_progress_key(import_id))
    return value if isinstance(value, dict) else None


# --- Who applies ----------------------------------------------------------------------------------------------


def _apply_in_thread(import_id: int) -> None:
    try:
        apply_offer_import(import_id=import_id)
    except Exception:  # the job applies it later; the web process keeps serving
        logger.exception("offer import %s failed in its thread", import_id)
    finally:
        connections.close_all()  # this thread's own connections (they are per thread): nothing is left open


def start_offer_import(*, import_id: int) -> None:
    """Run a queued import the way ``RELOOP_IMPORT_APPLY`` says; call it after the queueing has committed."""
    mode = settings.RELOOP_IMPORT_APPLY
    if mode == "task":
        set_progress(import_id, phase="queued", done=0, total=0)
        enqueue("reloop.apply_offer_import", import_id=import_id)
    elif mode == "inline":
        apply_offer_import(import_id=import_id)
    elif mode == "thread":
        set_progress(import_id, phase="queued", done=0, total=0)
        threading.Thread(
            target=_apply_in_thread, args=(import_id,), name=f"offer-import-{import_id}", daemon=True
        ).start()


def apply_waiting_imports() -> int:
    """The job: apply the queued imports no thread is taking care of. Idempotent; returns how many it applied."""
    queued = OfferImport.objects.filter(status=ImportStatus.QUEUED)
    if settings.RELOOP_IMPORT_APPLY in {"thread", "task"}:  # give the task or thread its time first
        queued = queued.filter(queued_at__lt=now() - THREAD_GRACE)
    applied = 0
    for import_id in queued.order_by("pk").values_list("pk", flat=True):
        if apply_offer_import(import_id=import_id).status == ImportStatus.APPLIED:
            applied += 1
    return applied
