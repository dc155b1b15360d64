"""Two-factor authentication: required for staff on /operator/ and /admin/, offered to everyone else; set-up with a
real TOTP code, backup codes that work once, and the code asked after the password at every sign-in."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from reloop.accounts import two_factor
from reloop.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OPERATOR_PAGE = "/operator/sellers/"
ENROL = "/en-gb/account/security/two-factor/"
VERIFY = "/en-gb/account/security/two-factor/code/"
LOGIN = "/en-gb/account/sign-in/"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.RELOOP_STAFF_TWO_FACTOR = True
    settings.RELOOP_SIGNIN_RATE_PER_IP = 1000


@pytest.fixture
def staff():
    person = UserFactory(email="ops@example.com", username="ops", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="change_sellerapplication"))
    return person


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(ENROL, {"token": current_code(device)})
    assert response.status_code == 302
    codes = client.session["reloop_2fa_new_codes"]
    device.refresh_from_db()
    return device, codes


@pytest.mark.parametrize("path", [OPERATOR_PAGE, "/admin/", "/admin/accounts/user/"])
def test_staff_signed_in_with_a_password_alone_cannot_reach_operator_pages_or_the_admin(client, staff, path):
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/en-gb/account/security/two-factor/required/?next=")


def test_staff_set_up_an_app_then_reach_the_operator_pages(client, staff):
    client.force_login(staff)
    page = client.get(ENROL)
    assert b"<svg" in page.content
    assert b"otpauth://totp/" in page.content
    device, codes = enrol(client)
    assert device.confirmed
    assert len(codes) == two_factor.BACKUP_CODE_COUNT
    assert client.get(OPERATOR_PAGE).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_confirm_the_device(client, staff):
    client.force_login(staff)
    client.get(ENROL)
    device = TOTPDevice.objects.get()
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(ENROL, {"token": wrong})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get(OPERATOR_PAGE).status_code == 302


def test_next_sign_in_asks_for_the_code_before_any_page(client, staff):
    client.force_login(staff)
    device, codes = enrol(client)
    client.post("/en-gb/account/sign-out/")
    response = client.post("/admin/login/", {"username": "ops", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.get("/en-gb/account/").status_code == 302  # every page waits for the code
    # A wrong code is refused, and the next try is throttled for a moment (django-otp: 1 s, doubling).
    # Stop the real clock where it is (time.time(), not timezone.now(): under RELOOP_TEST_NOW the latter is already
    # shifted, and travelling there would shift it twice and expire the session).
    with time_machine.travel(time.time(), tick=False) as clock:
        assert client.post(VERIFY, {"token": "12345678"}).status_code == 200
        assert client.post(VERIFY, {"token": codes[0]}).status_code == 200  # even a good code, during the wait
        clock.shift(dt.timedelta(seconds=3))
        # A backup code works once.
        assert client.post(VERIFY, {"token": codes[0], "next": "/admin/"})["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
        client.post("/en-gb/account/sign-out/")
        client.post(LOGIN, {"username": "ops@example.com", "password": PASSWORD})
        assert client.post(VERIFY, {"token": codes[0]}).status_code == 200  # used up
        clock.shift(dt.timedelta(seconds=60))  # past the throttle, and a time step the app has not shown yet
        assert client.post(VERIFY, {"token": current_code(device)}).status_code == 302
        assert client.get(OPERATOR_PAGE).status_code == 200


def test_a_pending_sign_in_cannot_replace_the_device(client, staff):
    client.force_login(staff)
    device, _codes = enrol(client)
    client.post("/en-gb/account/sign-out/")
    client.post(LOGIN, {"username": "ops@example.com", "password": PASSWORD})
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.values_list("pk", flat=True)) == [device.pk]


def test_a_buyer_may_turn_it_on_and_off_and_staff_may_not_turn_it_off(client, staff):
    buyer = UserFactory()
    client.force_login(buyer)
    assert client.get(OPERATOR_PAGE).status_code == 403  # not staff: no 2FA detour, just refused
    assert b"Set up two-factor authentication" in client.get("/en-gb/account/security/").content
    enrol(client)
    assert two_factor.has_two_factor(buyer)
    client.post("/en-gb/account/security/two-factor/off/")
    assert not two_factor.has_two_factor(buyer)
    client.force_login(staff)
    enrol(client)
    client.post("/en-gb/account/security/two-factor/off/")
    assert two_factor.has_two_factor(staff)


def test_a_buyer_without_it_signs_in_with_a_password_alone(client):
    UserFactory(email="ann@example.com")
    response = client.post(LOGIN, {"username": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/en-gb/account/").status_code == 200


def test_a_session_that_owes_a_code_cannot_use_the_api(client):
    person = UserFactory(email="ann@example.com")
    client.force_login(person)
    enrol(client)
    client.post("/en-gb/account/sign-out/")
    client.post(LOGIN, {"username": "ann@example.com", "password": PASSWORD})
    response = client.get("/api/v1/catalog/categories")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


def test_anonymous_api_calls_are_not_touched(client):
    assert client.get("/api/v1/catalog/categories").status_code == 200
