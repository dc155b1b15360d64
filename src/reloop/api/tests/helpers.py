"""Calling the seller API in tests: bearer token, JSON body, Idempotency-Key."""

from __future__ import annotations

import json
import uuid
from typing import Any

BASE = "/api/v1/seller"


def call(
    client: Any,
    method: str,
    path: str,
    key: str | None = None,
    body: Any = None,
    *,
    idem: str | None = "auto",
    raw: bytes | str | None = None,
    **headers: Any,
) -> Any:
    """``method`` ``BASE + path`` with ``key`` as bearer token. ``idem="auto"`` sends a fresh Idempotency-Key on
    writes, ``None`` none at all; ``raw`` sends a body as is (garbage tests)."""
    if key is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {key}")
    if idem == "auto":
        idem = None if method == "get" else uuid.uuid4().hex
    if idem is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    kwargs: dict[str, Any] = {}
    if method != "get":
        kwargs["content_type"] = "application/json"
        if raw is not None:
            kwargs["data"] = raw
        elif body is not None:
            kwargs["data"] = json.dumps(body)
    return getattr(client, method)(f"{BASE}{path}", **kwargs, **headers)
