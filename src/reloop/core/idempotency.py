"""Idempotency keys: claim a key before doing the work, store the answer, replay it (ADR 0013).

A key is scoped to one owner + method + path. The claim is an INSERT under the unique constraint, committed on its
own before the work starts, so two concurrent duplicates can never both run (on SQLite and PostgreSQL alike). The
work itself owns its transactions (services are durable), which is why the claim is not one transaction with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import Enum

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.models import IdempotencyRecord

#: How long a key is remembered: a client retrying for a day gets the first answer, then the key is free again.
KEY_LIFETIME = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 200
MAX_PATH_LENGTH = 500  # IdempotencyRecord.path


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = 422


class IdempotencyKeyInProgress(DomainError):
    code = "idempotency_key_in_progress"
    http_status = 409


class ClaimOutcome(Enum):
    CLAIMED = "claimed"  # the caller runs the request, then calls complete_key() or release_key()
    REPLAY = "replay"  # the request ran before: answer with the stored status and body


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    record: IdempotencyRecord


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """SHA-256 of the request. A JSON body is canonicalised (key order, whitespace) so an equal body matches."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode() if body else b""
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim_key(*, owner: str, key: str, method: str, path: str, request_hash: str) -> Claim:
    """Insert the in-progress record for ``key`` (CLAIMED) or return the stored answer (REPLAY).

    Raises ``IdempotencyKeyReused`` when the key was used for another request, ``IdempotencyKeyInProgress`` while
    the first request still runs. Three attempts at most: an expired record found on conflict is deleted
    (conditionally, so two processes cannot both delete-and-claim it) and the insert retried.
    """
    for _attempt in range(3):
        now = clock.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    method=method,
                    path=path,
                    request_hash=request_hash,
                    created_at=now,
                    expires_at=now + KEY_LIFETIME,
                )
            return Claim(ClaimOutcome.CLAIMED, record)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(owner=owner, method=method, path=path, key=key).first()
        if existing is None:  # released or purged between our insert and our read: try again
            continue
        if existing.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.request_hash != request_hash:
            raise IdempotencyKeyReused(
                _("This Idempotency-Key was already used for a different request; use a new key for a new request")
            )
        if existing.status_code is None:
            raise IdempotencyKeyInProgress(
                _("A request with this Idempotency-Key is still being processed; retry in a few seconds")
            )
        return Claim(ClaimOutcome.REPLAY, existing)
    raise IdempotencyKeyInProgress(  # lost three races in a row against claims and releases: let the client retry
        _("A request with this Idempotency-Key is still being processed; retry in a few seconds")
    )


def complete_key(*, record: IdempotencyRecord, status_code: int, body: str) -> None:
    """Store the answer of a claimed request (any status below 500)."""
    IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).update(
        status_code=status_code, response_body=body, completed_at=clock.now()
    )


def release_key(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed with a server error, so the client can retry with the same key."""
    IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def purge_idempotency_keys() -> int:
    """Delete expired records (scheduled job; running it twice is running it once). Returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted
