"""The operator API: the authorization matrix of every endpoint per staff role (same permissions as the console
pages), staff tokens, and decisions recorded in the seller's audit trail."""

from __future__ import annotations

import json
import uuid

import pytest

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales.models import Case
from reloop.api.buyer_auth import issue_token
from reloop.console import roles
from reloop.console.models import OperatorDecision
from reloop.console.tests.helpers import escalated_case, staff_with
from reloop.sellers.tests.factories import SellerApplicationFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/operator"
S, F, T, C = roles.SUPPORT, roles.FINANCE, roles.TRUST_AND_SAFETY, roles.CATALOGUE


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def call(client, method, path, token, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(BASE + path, **headers)
    headers["HTTP_IDEMPOTENCY_KEY"] = uuid.uuid4().hex
    return client.post(BASE + path, data=json.dumps(body or {}), content_type="application/json", **headers)


READS = [
    ("/figures", {F, T}),
    ("/sellers", {S, F, T}),
    ("/sellers/SELLER", {S, F, T}),
    ("/applications", {T}),
    ("/cases", {S, T}),
    ("/cases/CASE", {S, T}),
    ("/search?q=RL-", {S, T}),
]


@pytest.fixture
def world():
    sale, case = escalated_case()
    return {"SELLER": sale.seller.slug, "CASE": str(case.pk), "sale": sale, "case": case}


def fill(path, world):
    for k in ("SELLER", "CASE"):
        path = path.replace(k, world[k])
    return path


@pytest.mark.parametrize("role", [S, F, T, C])
def test_each_role_reads_exactly_its_endpoints(client, world, role):
    token, _ = issue_token(staff_with(role))
    got = {p: call(client, "get", fill(p, world), token).status_code for p, _ in READS}
    assert got == {p: (200 if role in allowed else 403) for p, allowed in READS}


@pytest.mark.parametrize("role", [S, F, C])
def test_roles_without_the_permission_cannot_decide(client, world, role):
    token, _ = issue_token(staff_with(role))
    seller = world["SELLER"]
    standing = call(client, "post", f"/sellers/{seller}/standing", token, {"standing": "suspended", "reason": "x"})
    application = SellerApplicationFactory.create()
    approve = call(client, "post", f"/applications/{application.pk}/approve", token)
    decision = call(
        client, "post", f"/cases/{world['CASE']}/decision", token, {"decision": "refund", "note": "Refund it."}
    )
    expected_case = 200 if role == S else 403  # support decides cases
    assert (standing.status_code, approve.status_code, decision.status_code) == (403, 403, expected_case)
    world["sale"].seller.refresh_from_db()
    assert world["sale"].seller.standing == "active"


def test_buyers_and_anonymous_callers_are_refused_everywhere(client, world):
    buyer_token, _ = issue_token(UserFactory.create())
    for path, _ in READS:
        assert call(client, "get", fill(path, world), None).status_code == 401
        assert call(client, "get", fill(path, world), buyer_token).status_code == 401


def test_trust_and_safety_suspends_and_decides_and_the_audit_trail_says_so(client, world):
    person = staff_with(T)
    token, _ = issue_token(person)
    seller = world["SELLER"]
    response = call(
        client, "post", f"/sellers/{seller}/standing", token, {"standing": "suspended", "reason": "Fake IMEIs"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["standing"] == "suspended"
    response = call(
        client, "post", f"/cases/{world['CASE']}/decision", token, {"decision": "refund", "note": "Dead on arrival."}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["refund_amount"], response.json()["refund_tax"]) == (
        Case.objects.get(pk=world["case"].pk).refund_amount,
        0,  # a GB order: no sales tax to give back
    )
    assert Case.objects.get(pk=world["case"].pk).state == "resolved"
    audit = call(client, "get", f"/sellers/{seller}", token).json()["audit"]
    kinds = set(OperatorDecision.objects.filter(seller__slug=seller, actor=person).values_list("kind", flat=True))
    assert kinds == {"suspend", "case_decision"}
    assert any(a["reason"] == "Fake IMEIs" for a in audit)


def test_a_standing_change_without_a_reason_is_refused_and_changes_nothing(client, world):
    token, _ = issue_token(staff_with(T))
    response = call(
        client, "post", f"/sellers/{world['SELLER']}/standing", token, {"standing": "suspended", "reason": "  "}
    )
    assert (response.status_code, response.json()["code"]) == (422, "reason_required")
    world["sale"].seller.refresh_from_db()
    assert world["sale"].seller.standing == "active"
    assert not OperatorDecision.objects.exists()


def test_a_staff_token_needs_the_second_factor(client, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.RELOOP_STAFF_TWO_FACTOR = True
    person = UserFactory.create(email="ops@example.com", username="ops@example.com", password="pass phrase 42 ok")
    person.is_staff = True
    person.save()

    def ask(otp=""):
        body = {"email": "ops@example.com", "password": "pass phrase 42 ok", "otp": otp}
        return client.post("/api/v1/buyer/auth/token", data=json.dumps(body), content_type="application/json")

    # Without two-factor set up: refused, nothing issued
    response = ask()
    assert (response.status_code, response.json()["code"]) == (401, "two_factor_required")
    device = TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    # With it: a missing code is refused, the right one gives a token, a wrong one is refused
    assert ask().json()["code"] == "two_factor_required"
    response = ask(f"{totp(device.bin_key):06d}")
    assert response.status_code == 201, response.content
    assert response.json()["token"].startswith("rlb_")
    assert ask("12345x").json()["code"] == "two_factor_required"
