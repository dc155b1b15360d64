"""Without a broker, the tasks a web request sends run once its response has been sent (ADR 0043): in order, in
the same process, each once; outside a request, and with the setting off, they run at once as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import RequestFactory
from django.urls import path

from reloop.celery_app import app
from reloop.core import tasks

pytestmark = pytest.mark.django_db(transaction=True)  # the tasks leave when the request's transaction commits


def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Callable[[bytes], object]:
    return lambda data: None


class Spy:
    """A task that records each run (and fails on the ``fail`` argument)."""

    def __init__(self, name: str, runs: list[tuple[str, dict[str, Any]]]) -> None:
        self.name = name
        self.runs = runs

    def apply_async(self, *, kwargs: dict[str, Any]) -> None:
        self.runs.append((self.name, kwargs))
        if kwargs.get("fail"):
            raise RuntimeError(f"{self.name} failed")


def sending_view(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        tasks.enqueue("reloop.test.first", n=1, fail=request.GET.get("fail") == "1")
        tasks.enqueue("reloop.test.second", n=2)
    return HttpResponse("paid")


def repricing_view(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        tasks.enqueue("reloop.test.first", n=1)  # e.g. an email: may follow the response
        tasks.enqueue("reloop.test.second", may_follow_response=False, n=2)  # e.g. a buy-box refresh
    return HttpResponse("repriced")


urlpatterns = [path("send/", sending_view), path("reprice/", repricing_view)]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[tuple[str, dict[str, Any]]]:
    settings.ROOT_URLCONF = __name__
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default
    seen: list[tuple[str, dict[str, Any]]] = []
    for name in ("reloop.test.first", "reloop.test.second"):
        monkeypatch.setitem(app.tasks, name, Spy(name, seen))
    return seen


def serve(url: str) -> tuple[bytes, HttpResponseBase]:
    """What a WSGI server does: call the application, send the body; the caller closes the response."""
    response = WSGIHandler()(RequestFactory().get(url).environ, start_response)
    return b"".join(response), response


def test_a_requests_tasks_run_after_its_response_is_sent_in_order(runs: list[tuple[str, dict[str, Any]]]) -> None:
    body, response = serve("/send/")

    assert body == b"paid"
    assert runs == []  # committed and answered, nothing run yet: the buyer does not wait for the tasks
    response.close()  # the server has sent the last byte
    assert runs == [("reloop.test.first", {"n": 1, "fail": False}), ("reloop.test.second", {"n": 2})]
    response.close()
    assert len(runs) == 2  # each once


def test_with_the_setting_off_the_tasks_run_before_the_response(
    runs: list[tuple[str, dict[str, Any]]], settings: Any
) -> None:
    settings.RELOOP_TASKS_AFTER_RESPONSE = False

    _body, response = serve("/send/")

    assert [name for name, _kwargs in runs] == ["reloop.test.first", "reloop.test.second"]
    response.close()
    assert len(runs) == 2


def test_with_a_broker_nothing_is_held(runs: list[tuple[str, dict[str, Any]]], settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker takes the tasks: they are sent at commit

    _body, response = serve("/send/")

    assert len(runs) == 2
    response.close()
    assert len(runs) == 2


def test_outside_a_request_a_task_runs_at_commit(runs: list[tuple[str, dict[str, Any]]]) -> None:
    with transaction.atomic():
        tasks.enqueue("reloop.test.second", n=3)
        assert runs == []
    assert runs == [("reloop.test.second", {"n": 3})]


def test_a_failing_task_does_not_stop_the_next_and_strict_mode_raises_it_after(
    runs: list[tuple[str, dict[str, Any]]], settings: Any
) -> None:
    settings.RELOOP_STRICT_EVENTS = True
    _body, response = serve("/send/?fail=1")

    with pytest.raises(RuntimeError, match=r"reloop\.test\.first failed"):
        response.close()

    assert [name for name, _kwargs in runs] == ["reloop.test.first", "reloop.test.second"]


def test_tasks_held_by_a_request_never_closed_run_when_the_thread_serves_the_next(
    runs: list[tuple[str, dict[str, Any]]],
) -> None:
    serve("/send/")  # the server dropped the response without closing it
    assert runs == []

    _body, response = serve("/send/")

    assert len(runs) == 2  # the first request's, before the second one was served
    response.close()
    assert len(runs) == 4


def test_a_task_whose_effect_other_processes_must_see_runs_before_the_response(
    runs: list[tuple[str, dict[str, Any]]],
) -> None:
    body, response = serve("/reprice/")

    assert body == b"repriced"
    assert runs == [("reloop.test.second", {"n": 2})]  # the buy box was refreshed before the seller's answer
    response.close()
    assert runs == [("reloop.test.second", {"n": 2}), ("reloop.test.first", {"n": 1})]
