"""Fixtures of the core tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from reloop.core import events
from reloop.core.tests.test_outbox import Recorder, ThingsMoved


@pytest.fixture
def subscribed() -> Iterator[Callable[..., None]]:
    """Subscribe recorders to ``ThingsMoved`` for one test; they are unsubscribed after it."""
    made: list[Recorder] = []

    def subscribe(*recorders: Recorder) -> None:
        for recorder in recorders:
            events.subscribe(ThingsMoved, recorder)
            made.append(recorder)

    yield subscribe
    for recorder in made:
        events._handlers[ThingsMoved].remove(recorder)
