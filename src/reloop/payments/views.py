"""The one HTTP endpoint of payments: provider webhooks (``POST /payments/webhooks/<provider>``).

It is called by a payment provider, not a person, so it lives with the provider code rather than in ``web``: it
reads the raw body, calls ``inbox.receive_webhook`` and answers JSON. No session, no CSRF token (the signature
authenticates the sender), no market prefix.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reloop.core.errors import DomainError
from reloop.payments.inbox import receive_webhook


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> JsonResponse:
    """200 ``{"received": true, "duplicate": …}`` once the event is recorded (also for a redelivery), 400 with
    ``{"code", "message"}`` for a bad signature (``invalid_signature``), an old timestamp (``stale_webhook``) or an
    unreadable body (``invalid_webhook``), 404 for an unknown provider."""
    try:
        receipt = receive_webhook(provider=provider, headers=request.headers, body=request.body)
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.http_status)
    return JsonResponse(
        {"received": True, "event_id": receipt.event_id, "duplicate": receipt.duplicate, "outcome": receipt.outcome}
    )
