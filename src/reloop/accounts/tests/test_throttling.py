"""Sign-in throttling: the account lock after repeated wrong passwords (django-axes) and its cool-off, the cap per
client address, and password-reset requests. The clock is moved with time-machine (django-axes reads Django's
``timezone.now``), never waited for."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from reloop.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/en-gb/account/sign-in/"
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.RELOOP_SIGNIN_COOLOFF_MINUTES = 15
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    settings.RELOOP_SIGNIN_RATE_PER_IP = 1000


def sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one_until_the_cool_off(client, limits):
    user = UserFactory(email="ann@example.com")
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(4):
            response = sign_in(client, "ann@example.com", "wrong-password")
            assert response.status_code == 200  # the form again, with its error
        response = sign_in(client, "ANN@example.com ", "wrong-password")  # the 5th, in another case: same account
        assert response.status_code == 429
        # Locked: the right password is refused too, and nobody is signed in.
        response = sign_in(client, "ann@example.com", PASSWORD)
        assert response.status_code == 429
        assert b"Sign-in paused" in response.content
        assert "_auth_user_id" not in client.session
        # Still locked just before the cool-off ends.
        clock.move_to(T0 + dt.timedelta(minutes=14, seconds=59))
        assert sign_in(client, "ann@example.com", PASSWORD).status_code == 429
        # After it, the right user signs in at once.
        clock.move_to(T0 + dt.timedelta(minutes=15, seconds=1))
        response = sign_in(client, "ann@example.com", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_another_account_is_not_locked_by_someone_elses_failures(client, limits):
    UserFactory(email="ann@example.com")
    bob = UserFactory(email="bob@example.com")
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            sign_in(client, "ann@example.com", "wrong-password")
        response = sign_in(client, "bob@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_a_success_before_the_limit_clears_the_failures(client, limits):
    UserFactory(email="ann@example.com")
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            sign_in(client, "ann@example.com", "wrong-password")
        assert sign_in(client, "ann@example.com", PASSWORD).status_code == 302
        client.post("/en-gb/account/sign-out/")
        for _ in range(4):
            assert sign_in(client, "ann@example.com", "wrong-password").status_code == 200
        assert sign_in(client, "ann@example.com", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_locked_the_same_way(client, limits):
    UserFactory(email="ops@example.com", username="ops", is_staff=True)
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            client.post("/admin/login/", {"username": "ops", "password": "wrong-password"})
        response = client.post("/admin/login/", {"username": "ops", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_many_accounts_tried_from_one_address_are_capped(client, settings):
    """Credential stuffing: one guess each for many accounts never trips a per-account lock; the address cap does."""
    settings.RELOOP_SIGNIN_RATE_PER_IP = 3
    with time_machine.travel(T0, tick=False):
        codes = [sign_in(client, f"user{n}@example.com", "guess").status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_password_reset_requests_are_capped_per_email_address(client, settings):
    settings.RELOOP_PASSWORD_RESET_RATE_PER_EMAIL = 2
    settings.RELOOP_PASSWORD_RESET_RATE_PER_IP = 100
    UserFactory(email="ann@example.com")
    with time_machine.travel(T0, tick=False):
        codes = [
            client.post("/en-gb/account/password-reset/", {"email": "ann@example.com"}).status_code for _ in range(4)
        ]
    assert codes == [302, 302, 429, 429]
    assert len(mail.outbox) == 2


def test_a_request_without_a_valid_client_address_is_stored_without_one():
    from django.test import RequestFactory

    from reloop.accounts.throttling import axes_client_ip, client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="")
    assert client_ip(request) == "unknown"
    assert axes_client_ip(request) is None
    assert axes_client_ip(RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"


def test_behind_proxies_the_address_the_outermost_proxy_saw_is_used(settings):
    from django.test import RequestFactory

    from reloop.accounts.throttling import client_ip

    settings.RELOOP_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_ip(request) == "198.51.100.9"  # "1.2.3.4" was written by the client: not trusted
