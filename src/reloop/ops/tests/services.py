"""Real servers for tests: Redis, RabbitMQ and an S3-compatible server (moto), skipped with a reason locally when
missing, and required in CI: ``.ci/run`` sets ``RELOOP_REQUIRE_SERVICES=redis,rabbitmq,s3`` after starting them, so
a missing server fails the run instead of skipping quietly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

REDIS_URL = os.environ.get("RELOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("RELOOP_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
MOTO_PORT = int(os.environ.get("RELOOP_TEST_MOTO_PORT", "8145"))


def required(service: str) -> bool:
    wanted = {s.strip() for s in os.environ.get("RELOOP_REQUIRE_SERVICES", "").split(",")}
    return service in wanted or "all" in wanted


def missing(service: str, why: str) -> None:
    """Skip (locally) or fail (when CI requires ``service``)."""
    message = f"needs {service}: {why}"
    if required(service):
        pytest.fail(f"{message} (RELOOP_REQUIRE_SERVICES requires it)")
    pytest.skip(f"{message} (required in CI)")


def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # a developer machine may have no Redis
        missing("redis", f"no Redis at {REDIS_URL} ({exc}); set RELOOP_TEST_REDIS_URL")
    return REDIS_URL


def amqp_url() -> str:
    from kombu import Connection

    try:
        with Connection(AMQP_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0)
    except Exception as exc:  # a developer machine may have no RabbitMQ
        missing("rabbitmq", f"no RabbitMQ at {AMQP_URL} ({exc}); set RELOOP_TEST_AMQP_URL")
    return AMQP_URL


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


def any_free_port() -> int:
    """A port nobody listens on now (the kernel's choice for port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20, alive: Callable[[], bool] = lambda: True) -> bool:
    """True once something listens on ``port``; False after ``timeout`` or as soon as ``alive()`` turns false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


@contextmanager
def moto_server() -> Iterator[str]:
    """An S3-compatible server on 127.0.0.1 (moto's server mode, from PyPI); yields its endpoint URL."""
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:
        missing("s3", f"moto[server] is not installed ({exc})")
    port = free_port(MOTO_PORT)
    process = subprocess.Popen(  # noqa: S603  # our own interpreter, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_port(port):
            missing("s3", "moto's server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
