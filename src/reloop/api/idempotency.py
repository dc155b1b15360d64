"""``@idempotent``: the ``Idempotency-Key`` header of the seller API (docs/seller-api.md, ADR 0013).

Put it directly under ``@router.post(...)`` (or patch/put/delete) of a view that has token auth::

    @router.post("/offers", response={201: SellerOfferOut, **WRITE_ERRORS}, summary=...)
    @idempotent
    def create_offer(request, payload: OfferIn) -> Status[SellerOfferOut]: ...

The key (1–200 printable ASCII characters) is required on POST and optional on PATCH/PUT/DELETE. It is scoped to
the authenticated seller + method + path. The first answer (status + JSON body, errors included) is stored and a
replay returns it unchanged, with ``Idempotent-Replayed: true``, without running the view again. The same key with
another body is 422 ``idempotency_key_reused``; a duplicate sent while the first still runs is 409
``idempotency_key_in_progress``. A server error (5xx) is not stored, so the client can retry with the same key.

The decorated view must return a ``Schema`` instance (or ``Status(code, schema)``): the decorator serialises it
itself so that exactly the bytes it stores are what the client gets, first time and on replay.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.operation import Operation
from ninja.responses import NinjaJSONEncoder, Status
from ninja.utils import contribute_operation_callback
from pydantic import BaseModel

from reloop.api.ratelimit import stamp_headers
from reloop.core.errors import DomainError, InvalidInput
from reloop.core.idempotency import (
    MAX_KEY_LENGTH,
    MAX_PATH_LENGTH,
    ClaimOutcome,
    claim_key,
    complete_key,
    release_key,
    request_fingerprint,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
CONTENT_TYPE = "application/json; charset=utf-8"

F = TypeVar("F", bound=Callable[..., Any])


class IdempotencyKeyRequired(DomainError):
    code = "idempotency_key_required"
    http_status = 400


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"
    http_status = 400


def _valid_key(key: str) -> bool:
    return 1 <= len(key) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def _owner(request: HttpRequest) -> str:
    auth = getattr(request, "auth", None)
    pk = getattr(auth, "pk", None)
    if auth is None or pk is None:  # a programming error: @idempotent only goes on authenticated routes
        raise RuntimeError("@idempotent needs an authenticated route (request.auth with a pk)")
    return f"{auth._meta.label_lower}:{pk}"


def _serialise(result: Any) -> tuple[int, str]:
    status = 200
    if isinstance(result, Status):
        status, result = result.status_code, result.value
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    return status, json.dumps(result, cls=NinjaJSONEncoder, ensure_ascii=False)


def _error_body(code: str, message: str) -> str:
    return json.dumps({"code": code, "message": message, "details": None}, ensure_ascii=False)


def _response(request: HttpRequest, status: int, body: str, *, replayed: bool) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    if replayed:
        response[REPLAYED_HEADER] = "true"
    return stamp_headers(request, response)


def _document(operation: Operation) -> None:
    """Add the header and the idempotency answers to the operation's OpenAPI entry."""
    required = "POST" in operation.methods
    extra: dict[str, Any] = {
        "parameters": [
            {
                "in": "header",
                "name": HEADER,
                "required": required,
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                "example": "3f1c2a9e-7d1b-4a55-9a43-0c2f0b8e5d11",
                "description": (
                    "A unique key per intended change (a UUID is fine). Sending the same request again with the "
                    "same key returns the first answer, with `Idempotent-Replayed: true`, and changes nothing "
                    "more. Kept 24 hours." + ("" if required else " Optional on this method.")
                ),
            }
        ],
        "responses": {
            "409": {"description": "`idempotency_key_in_progress`: the first request with this key still runs"},
        },
    }
    existing = operation.openapi_extra or {}
    existing.setdefault("parameters", []).extend(extra["parameters"])
    for status, doc in extra["responses"].items():
        existing.setdefault("responses", {}).setdefault(status, doc)
    operation.openapi_extra = existing


def idempotent(view: F) -> F:
    """Make a seller API write safe to retry: see the module docstring."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            if request.method == "POST":
                raise IdempotencyKeyRequired(_("Send an Idempotency-Key header with every POST"))
            return view(request, *args, **kwargs)
        if not _valid_key(key):
            raise InvalidIdempotencyKey(
                _("The Idempotency-Key must be 1 to %(max)s printable characters without spaces")
                % {"max": MAX_KEY_LENGTH}
            )
        method = request.method or ""
        if len(request.path) > MAX_PATH_LENGTH:  # no route of ours is that long: a junk path parameter
            raise InvalidInput(_("The request path is too long"))
        claim = claim_key(  # raises the 422 "reused" and 409 "in progress" errors
            owner=_owner(request),
            key=key,
            method=method,
            path=request.path,
            request_hash=request_fingerprint(method=method, path=request.get_full_path(), body=request.body),
        )
        record = claim.record
        if claim.outcome is ClaimOutcome.REPLAY:
            return _response(request, cast(int, record.status_code), record.response_body, replayed=True)
        try:
            status, body = _serialise(view(request, *args, **kwargs))
        except DomainError as exc:
            status, body = exc.http_status, _error_body(exc.code, exc.message)
        except HttpError as exc:
            status, body = exc.status_code, _error_body("http_error", str(exc))
        except BaseException:
            release_key(record=record)  # a crash is not an answer: the client may retry with the same key
            raise
        if status >= 500:
            release_key(record=record)
        else:
            complete_key(record=record, status_code=status, body=body)
        return _response(request, status, body, replayed=False)

    # ninja resolves string annotations in the wrapper's module: hand it the view's own, already resolved
    wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    contribute_operation_callback(wrapper, _document)
    return cast(F, wrapper)
