"""The public webhook endpoint answers a signature header whose timestamp is a non-ASCII digit (``t=²``: the
header is read as Latin-1, ``str.isdigit`` accepts it, ``int`` refuses it) with a 400, never a 500."""

from __future__ import annotations

import pytest

from reloop.payments.models import WebhookEvent


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.RELOOP_PAYMENT_WEBHOOK_SECRET = "whsec_current"


@pytest.mark.parametrize("timestamp", ["²", "1²", "١٧٠٠٠٠٠٠٠٠"])
def test_a_unicode_digit_timestamp_is_an_invalid_signature(client, db, timestamp):
    body = b'{"id": "evt_1", "type": "charge.refunded", "data": {}}'
    response = client.post(
        "/payments/webhooks/test",
        data=body,
        content_type="application/json",
        headers={"Reloop-Signature": f"t={timestamp},v1=abc"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
    assert WebhookEvent.objects.count() == 0
