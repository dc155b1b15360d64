"""Webhooks: signature, tolerance, replays and rotated secrets, through ``POST /payments/webhooks/test``."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from reloop.core.clock import now
from reloop.core.money import Money
from reloop.payments.errors import InvalidSignature, StaleWebhook
from reloop.payments.events import PaymentWebhookReceived
from reloop.payments.models import TestCharge, WebhookEvent
from reloop.payments.providers.testing import TestProvider
from reloop.payments.webhooks import sign_webhook, verify_signature

URL = "/payments/webhooks/test"
SECRET = "whsec_current"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.RELOOP_PAYMENT_WEBHOOK_SECRET = SECRET


@pytest.fixture
def charge(db):
    """A payment of 100.00 EUR, confirmed by the buyer on the provider's page and captured for 80.00."""
    provider = TestProvider()
    payment = provider.create_payment(
        amount=Money(10000, "EUR"), order_reference="RL-HOOK", return_url="/back/", idempotency_key="pay-1"
    )
    provider.confirm_with_card(reference=payment.reference, card="4242424242424242")
    provider.capture(reference=payment.reference, amount=Money(8000, "EUR"), idempotency_key="cap-1")
    return TestCharge.objects.get(reference=payment.reference)


def post(client, headers, body):
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def refunded_event(charge, total, **kwargs):
    """A ``payment.updated`` event about ``charge`` (``total`` only makes bodies differ)."""
    return TestProvider().signed_event(
        event_type="payment.updated", data={"reference": charge.reference, "status": "captured", "n": total}, **kwargs
    )


def test_the_route_is_outside_the_market_prefix():
    assert reverse("payment_webhook", kwargs={"provider": "test"}) == URL


@pytest.fixture
def published(monkeypatch):
    """The events the inbox publishes (on commit, for the order glue)."""
    from reloop.payments import inbox

    events: list[PaymentWebhookReceived] = []
    monkeypatch.setattr(inbox, "publish", events.append)
    return events


def test_a_signed_event_is_applied_once(client, charge, published):
    headers, body = refunded_event(charge, 3000, event_id="evt_1")

    response = post(client, headers, body)

    assert response.status_code == 200
    assert response.json() == {"received": True, "event_id": "evt_1", "duplicate": False, "outcome": "applied"}
    stored = WebhookEvent.objects.get()
    assert (stored.provider, stored.event_id, stored.type, stored.outcome) == (
        "test",
        "evt_1",
        "payment.updated",
        "applied",
    )
    assert published == [
        PaymentWebhookReceived(
            provider="test",
            event_id="evt_1",
            type="payment.updated",
            outcome="applied",
            data={"reference": charge.reference, "status": "captured", "n": 3000},
        )
    ]


def test_a_replayed_event_is_acknowledged_and_changes_nothing(client, charge, published):
    headers, body = refunded_event(charge, 3000, event_id="evt_1")
    assert post(client, headers, body).status_code == 200
    # Meanwhile the charge moved on (a further refund through the API)
    TestProvider().refund(reference=charge.reference, amount=Money(2000, "EUR"), idempotency_key="ref-2")

    response = post(client, headers, body)

    assert response.status_code == 200
    assert response.json() == {"received": True, "event_id": "evt_1", "duplicate": True, "outcome": "applied"}
    assert WebhookEvent.objects.count() == 1
    assert len(published) == 1  # nothing published for the redelivery
    charge.refresh_from_db()
    assert charge.refunded_amount == 2000


def test_an_event_for_an_unknown_payment_is_acknowledged_and_ignored(client, db, published):
    headers, body = TestProvider().signed_event(
        event_type="payment.updated", data={"reference": "pi_nobody", "status": "captured"}, event_id="evt_x"
    )

    response = post(client, headers, body)

    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    assert WebhookEvent.objects.get().event_id == "evt_x"


def test_an_unknown_event_type_is_stored_and_acknowledged(client, db):
    headers, body = TestProvider().signed_event(event_type="payout.paid", data={"id": "po_1"}, event_id="evt_9")

    response = post(client, headers, body)

    assert response.status_code == 200
    assert response.json()["outcome"] == "unhandled"
    assert WebhookEvent.objects.get().payload == {"id": "po_1"}


def test_a_bad_signature_is_refused_with_400(client, charge):
    headers, body = refunded_event(charge, 3000, secret="not-our-secret")

    response = post(client, headers, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert "message" in response.json()
    assert WebhookEvent.objects.count() == 0
    charge.refresh_from_db()
    assert charge.refunded_amount == 0


def test_a_tampered_body_is_refused(client, charge):
    headers, body = refunded_event(charge, 3000)
    tampered = body.replace(b"3000", b"8000")

    response = post(client, headers, tampered)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
    charge.refresh_from_db()
    assert charge.refunded_amount == 0


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=abc,v1=abc", "t=1,t=2,v1=abc", "t=1700000000", "garbage"])
def test_a_missing_or_malformed_signature_header_is_refused(client, db, header):
    body = b'{"id": "evt_1", "type": "charge.refunded", "data": {}}'
    headers = {} if header is None else {"Reloop-Signature": header}

    response = post(client, headers, body)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_timestamp_more_than_300_seconds_off_is_stale(client, charge, offset):
    timestamp = int((now() + timedelta(seconds=offset)).timestamp())
    headers, body = refunded_event(charge, 3000, timestamp=timestamp)

    response = post(client, headers, body)

    assert (response.status_code, response.json()["code"]) == (400, "stale_webhook")
    assert WebhookEvent.objects.count() == 0
    charge.refresh_from_db()
    assert charge.refunded_amount == 0


@pytest.mark.parametrize("offset", [-299, 299])
def test_a_timestamp_within_300_seconds_is_accepted(client, charge, offset):
    timestamp = int((now() + timedelta(seconds=offset)).timestamp())
    headers, body = refunded_event(charge, 3000, timestamp=timestamp)
    assert post(client, headers, body).status_code == 200


def test_a_sender_rotating_its_secret_signs_with_both(client, charge):
    """The sender has a new secret we do not know yet, and still signs with the old one (ours)."""
    timestamp = int(now().timestamp())
    body = json.dumps(
        {"id": "evt_r", "type": "charge.refunded", "data": {"reference": charge.reference, "amount_refunded": 100}}
    ).encode()
    headers = {"Reloop-Signature": sign_webhook(body, ["whsec_next", SECRET], timestamp)}

    assert post(client, headers, body).status_code == 200


def test_a_receiver_rotating_its_secret_accepts_the_old_and_the_new(client, charge, settings):
    settings.RELOOP_PAYMENT_WEBHOOK_SECRET = "whsec_new, whsec_old"
    old_headers, old_body = refunded_event(charge, 100, secret="whsec_old")
    new_headers, new_body = refunded_event(charge, 200)  # signs with the first, current secret

    assert post(client, old_headers, old_body).status_code == 200
    assert post(client, new_headers, new_body).status_code == 200
    assert "v1=" in new_headers["Reloop-Signature"]
    retired_headers, retired_body = refunded_event(charge, 300, secret=SECRET)
    assert post(client, retired_headers, retired_body).json()["code"] == "invalid_signature"
    charge.refresh_from_db()
    assert WebhookEvent.objects.count() == 2  # the old and the new secret, not the retired one


def test_an_unsigned_or_unreadable_body_is_refused(client, db):
    timestamp = int(now().timestamp())
    for body in [b"not json", b"[]", b'{"type": "charge.refunded"}', b'{"id": "evt", "type": "x", "data": []}']:
        headers = {"Reloop-Signature": sign_webhook(body, SECRET, timestamp)}
        response = post(client, headers, body)
        assert (response.status_code, response.json()["code"]) == (400, "invalid_webhook"), body
    assert WebhookEvent.objects.count() == 0


def test_an_unknown_provider_is_404_and_get_is_405(client, db):
    _, body = TestProvider().signed_event(event_type="charge.refunded", data={})
    assert client.post("/payments/webhooks/paypal", data=body, content_type="application/json").status_code == 404
    assert client.get(URL).status_code == 405


def test_verify_signature_compares_every_signature_with_every_secret():
    body, timestamp = b"{}", 1_700_000_000
    header = sign_webhook(body, ["a", "b"], timestamp)
    assert verify_signature(header=header, body=body, secrets=["b"], now=timestamp) == timestamp
    assert verify_signature(header=header, body=body, secrets=["z", "a"], now=timestamp + 300) == timestamp
    with pytest.raises(InvalidSignature):
        verify_signature(header=header, body=body, secrets=["c"], now=timestamp)
    with pytest.raises(InvalidSignature):
        verify_signature(header=header, body=body, secrets=[], now=timestamp)
    with pytest.raises(StaleWebhook):
        verify_signature(header=header, body=body, secrets=["a"], now=timestamp + 301)
