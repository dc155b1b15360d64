"""The buyer API opens a battery-floor warranty claim with the reading (issue 16, item 4), and refuses it at or
above the floor or without a reading with a stable code, nothing saved."""

from __future__ import annotations

import pytest

from reloop.accounts.models import User
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import delivered_line
from reloop.api.tests.test_buyer_api import api, buyer_token

pytestmark = pytest.mark.django_db
WHY = "Settings shows 74% maximum capacity."


def body(sale, **fields):
    return {"line_id": sale.line.pk, "kind": "warranty", "reason": "battery_below_floor", "description": WHY} | fields


def test_the_claim_opens_below_the_floor_and_is_refused_at_it_or_without_a_reading(client):
    token = buyer_token(client)
    sale = delivered_line(buyer=User.objects.get(email="ada@example.com"))

    at_floor = api(client, "post", "/cases", token, body(sale, battery_reading=80))
    missing = api(client, "post", "/cases", token, body(sale))
    impossible = api(client, "post", "/cases", token, body(sale, battery_reading=120))
    assert (at_floor.status_code, at_floor.json()["code"]) == (409, "battery_above_floor")
    assert (missing.status_code, missing.json()["code"]) == (422, "battery_reading_required")
    assert impossible.status_code == 422
    assert not Case.objects.exists()

    opened = api(client, "post", "/cases", token, body(sale, battery_reading=74))
    assert opened.status_code == 201, opened.content
    case = Case.objects.get()
    assert (case.kind, case.battery_reading, case.battery_floor) == ("warranty", 74, 80)
