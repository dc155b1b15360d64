"""Suite-wide fixtures and the rules for tests that need PostgreSQL or a browser.

``@pytest.mark.postgres`` tests skip on SQLite with a reason, unless ``REQUIRE_POSTGRES=1`` (CI), which makes
them fail instead. ``@pytest.mark.browser`` tests skip when Chromium is missing, unless ``REQUIRE_BROWSER=1``.

``RELOOP_TEST_NOW=2027-12-31T23:30:00Z`` runs the whole suite at that moment: Django's ``timezone.now`` (and so
``core.clock``, ``auto_now_add`` and session expiry) starts there and runs on at the real pace. CI draws one moment
from ``.ci/hard-dates`` on every run and prints it; ``docs/testing.md`` says how to replay a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import types
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests judge results, not speed: on a shared CI machine running the suite on several workers an example
# may take seconds, which must not fail the run (no deadline, no "too slow" health check).
hypothesis_settings.register_profile("reloop", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reloop"))

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


SUITE_NOW_VARIABLE = "RELOOP_TEST_NOW"


def suite_moment(raw: str) -> dt.datetime | None:
    """The moment ``RELOOP_TEST_NOW`` asks the suite to run at, in UTC (``None`` when unset).

    An ISO 8601 date and time with its offset (``2028-02-29T12:00:00Z``, ``2027-03-28T02:30:00+01:00``); a date
    alone means noon UTC that day.
    """
    raw = raw.strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(12), tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(
            f"{SUITE_NOW_VARIABLE}={raw!r} is not an ISO 8601 date and time: write it like 2027-12-31T23:30:00Z"
        ) from None
    if moment.tzinfo is None:
        raise pytest.UsageError(
            f"{SUITE_NOW_VARIABLE}={raw!r} has no time zone: add one, like 2027-12-31T23:30:00Z or +01:00"
        )
    return moment.astimezone(dt.UTC)


def shifted_clock(moment: dt.datetime, real_now: Callable[[], dt.datetime]) -> Callable[[], dt.datetime]:
    """A ``now`` that answers ``moment`` at first and then moves on with ``real_now``."""
    offset = moment - real_now()

    def now() -> dt.datetime:
        return real_now() + offset

    return now


def _required(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    """Every thread closes its database connection when its request ends (``CONN_MAX_AGE=0``) while testing.

    The browser tests' live server answers each keep-alive socket in a thread of its own; with persistent
    connections such a thread could still hold one when the server stops, which PostgreSQL then counts as a session
    using the test database (it cannot be dropped) and Python reports as an unclosed connection.
    """
    from django.conf import settings
    from django.utils import timezone

    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0

    moment = suite_moment(os.environ.get(SUITE_NOW_VARIABLE, ""))
    if moment is not None:
        # Every reader of the time goes through django.utils.timezone.now (core.clock, auto_now_add, sessions):
        # moving it moves the whole suite, threads and the browser tests' live server included.
        original = timezone.now
        timezone.now = shifted_clock(moment, original)
        rebind_now(original, timezone.now)


def rebind_now(original: Callable[[], dt.datetime], shifted: Callable[[], dt.datetime]) -> None:
    """Point every module that imported ``now`` by name (``from django.utils.timezone import now``) at the shifted
    clock too.

    django-axes does that: left alone, it would judge lockouts by the real time while the attempts it stores carry
    the shifted one, so a moment in the past made every failed attempt look long expired.
    """
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not namespace:
            continue
        for name, value in list(namespace.items()):
            if value is original and module.__name__ != "django.utils.timezone":
                setattr(module, name, shifted)


def pytest_report_header(config: pytest.Config) -> str:
    moment = suite_moment(os.environ.get(SUITE_NOW_VARIABLE, ""))
    if moment is None:
        return (
            f"clock: the real time (set {SUITE_NOW_VARIABLE}=2027-12-31T23:30:00Z to run the suite at another moment)"
        )
    return f"clock: {SUITE_NOW_VARIABLE}={moment.isoformat()} (the suite starts at this moment, UTC)"


SHARED_SERVICE_HELPERS = ("reloop.ops.tests.services", "reloop.ops.tests.processes")


def uses_shared_services(item: pytest.Item) -> bool:
    """Whether the test's module starts or shares the local servers (Redis database 15, RabbitMQ's queues, web
    processes on chosen ports): such modules run one after another on a single xdist worker."""
    module = getattr(item, "module", None)
    if module is None:
        return False
    origins = {
        value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        for value in vars(module).values()
    }
    return not origins.isdisjoint(SHARED_SERVICE_HELPERS)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = connection.vendor == "postgresql"
    if _required("REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not a PostgreSQL database")
    has_browser = chromium_path() is not None
    if _required("REQUIRE_BROWSER") and not has_browser:
        raise pytest.UsageError("REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium)")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... (required in CI)")
    skip_browser = pytest.mark.skip(reason="needs Chromium: apt-get install chromium (required in CI)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_browser:
            item.add_marker(skip_browser)
        if uses_shared_services(item):
            item.add_marker(pytest.mark.xdist_group("shared-services"))


@pytest.fixture(autouse=True)
def _strict_events(settings):
    """A failing event handler fails the test instead of being logged."""
    settings.RELOOP_STRICT_EVENTS = True


@pytest.fixture(autouse=True)
def _tasks_in_the_request_for_browsers(request, settings):
    """A browser test checks what the page after a click shows (the invoice on the order page, the email it sent);
    a live server running a request's tasks once the response is sent (ADR 0043) would race that next page. Browser
    tests keep the tasks in the request; core/tests/test_tasks_after_response.py tests the other way."""
    if "live_server" in request.fixturenames:
        settings.RELOOP_TASKS_AFTER_RESPONSE = False


@pytest.fixture(autouse=True)
def _staff_two_factor_off(settings):
    """Operator-page tests sign staff in with ``force_login``; the rule that staff need a second factor on
    /operator/ and /admin/ has its own tests (accounts/tests/test_two_factor.py), which turn it back on."""
    settings.RELOOP_STAFF_TWO_FACTOR = False


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Tests create many users: a fast hasher keeps them quick (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to /fr-fr/ leaves French active in the test's thread (LocaleMiddleware activates it, nothing
    deactivates it): the next test's reverse() would build French URLs."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached fragments never leak from one test to the next (primary keys are reused between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
