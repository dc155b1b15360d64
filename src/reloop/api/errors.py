"""One error shape for the whole API: ``{"code": "...", "message": "...", "details": ...}`` with a 4xx status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from reloop.core.errors import DomainError


class ErrorOut(Schema):
    """Every error of the API: a stable machine-readable ``code``, a message for people, field errors if any."""

    code: str = Field(..., description="Stable; switch on this, not on the message", examples=["invalid_stock"])
    message: str = Field(..., examples=["Stock must be between 0 and 100000, not 100001"])
    details: list[dict[str, Any]] | None = Field(
        None, description="For `invalid_input`: one `{field, message}` per problem", examples=[None]
    )


def install_error_handlers(api: NinjaAPI) -> None:
    def error(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
        return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error(request, exc.http_status, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None, "message": e.get("msg")}
            for e in exc.errors
        ]
        summary = "; ".join(f"{d['field']}: {d['message']}" if d["field"] else str(d["message"]) for d in details)
        return error(request, 422, "invalid_input", f"Invalid request: {summary}", details)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error(request, 401, "unauthenticated", "Authentication required")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error(request, exc.status_code, "http_error", str(exc))
