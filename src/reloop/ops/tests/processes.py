"""Start Reloop's own processes (``reloop serve``, ``worker``, ``scheduler``) against the test database for the
multi-process tests, each in its own process group so a test can SIGKILL it whole."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.db import connection

from reloop.ops.tests.services import any_free_port, wait_for_port


def database_url() -> str:
    """The test database, as the child processes must reach it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db.get('USER') or 'postgres'}:{db.get('PASSWORD') or ''}@{host}:{port}/{db['NAME']}"


def real_now() -> dt.datetime:
    """The machine's clock: child processes share it, so a multi-process test cannot run at a moved moment."""
    return dt.datetime.fromtimestamp(time.time(), tz=dt.UTC)


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn's master and workers, Celery's parent and children)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Topology:
    home: Path
    env: dict[str, str]
    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, *args: str) -> Proc:
        log = self.home / f"{name}.log"
        with log.open("wb") as out:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(  # noqa: S603  # our own interpreter and command
                [sys.executable, "-m", "reloop", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = Proc(name, process, log)
        self.procs.append(proc)
        return proc

    def serve(self, name: str, *, workers: int = 1, attempts: int = 3, wait: bool = True) -> Proc:
        """``reloop serve`` on a free port (``proc.port``), so that two suites on one machine never collide.
        ``wait=False`` returns at once (start several processes, then ``listening`` for each)."""
        port = any_free_port()
        proc = self.start(name, "serve", f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--timeout=20")
        proc.port = port
        return self.listening(proc, attempts=attempts) if wait else proc

    def listening(self, proc: Proc, *, attempts: int = 3) -> Proc:
        """``proc`` once its port accepts connections. A port taken between the choice and gunicorn's bind (another
        suite was faster) is chosen again; the returned process may be a new one."""
        for _ in range(attempts):
            if wait_for_port(proc.port, timeout=90, alive=proc.alive):
                return proc
            if proc.process.poll() is None or "Address already in use" not in proc.tail():
                raise RuntimeError(f"{proc.name} did not listen on {proc.port}:\n{proc.tail()}")
            self.procs.remove(proc)
            proc = self.serve(proc.name, wait=False)
        raise RuntimeError(f"{proc.name}: no free port after {attempts} attempts")

    def stop_all(self) -> None:
        """SIGTERM to every process at once, then wait for each (SIGKILL after 10 s)."""
        for proc in self.procs:
            if proc.process.poll() is None:
                os.killpg(proc.process.pid, signal.SIGTERM)
        for proc in self.procs:
            proc.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (exit {p.process.poll()})\n{p.tail()}" for p in self.procs)


def base_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RELOOP_", "CELERY_", "DJANGO_")) and key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        {
            "DATABASE_URL": database_url(),
            "DEBUG": "false",
            "SECRET_KEY": "multi-process-test-secret-key-0123456789abcdefghij",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "RELOOP_HOME": str(home),
            "RELOOP_LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "0",
            "RELOOP_STAFF_TWO_FACTOR": "false",
        }
    )
    env.update(extra)
    return env


def request(
    port: int, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Browser:
    """A buyer's (or seller's) browser behind the load balancer of the topology: it keeps its cookies (the session
    the processes share in Redis, the CSRF cookie), posts forms with their CSRF token and follows nothing by itself
    (each step reads the redirect it got). A request that finds its web process dead (connection refused or reset
    mid-request) is sent again to the next live one, as the proxy's retry or the buyer's second click would: forms
    carry their idempotency key, so the shop must take the same form twice without doing the work twice."""

    def __init__(self, ports: list[int], first: int = 0, *, dead: set[int] | None = None, timeout: float = 60) -> None:
        self.ports = ports
        self.first = first
        self.dead = dead if dead is not None else set()  # shared by every browser: the proxy's health checks
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.retries = 0

    def csrf_token(self) -> str:
        """The CSRF secret this browser sends back (the cookie a first page set, or one of its own: Django accepts
        any well-formed secret the browser holds, as long as the form's token matches it)."""
        if "csrftoken" not in self.cookies:
            self.cookies["csrftoken"] = secrets.token_hex(16)
        return self.cookies["csrftoken"]

    def _send(self, port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            all_headers = {"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {}), **headers}
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def request(
        self, method: str, path: str, *, form: dict[str, Any] | None = None, body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        """``(status, headers, body)``; ``form`` is sent urlencoded with the CSRF token."""
        headers = dict(headers or {})
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.csrf_token()}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif method == "POST":
            headers.setdefault("X-CSRFToken", self.csrf_token())
        path = self.path_of(path)
        errors = []
        for n in range(2 * len(self.ports)):
            port = self.ports[(self.first + n) % len(self.ports)]
            if port in self.dead and n < len(self.ports):
                continue
            try:
                return self._send(port, method, path, body, headers)
            except (ConnectionError, http.client.RemoteDisconnected, http.client.IncompleteRead) as exc:
                self.dead.add(port)
                self.retries += 1
                errors.append(f"{port}: {exc!r}")
        raise ConnectionError(f"no web process answered {method} {path}: {errors}")

    @staticmethod
    def path_of(url: str) -> str:
        """The path and query of ``url`` (redirects name the web process that answered; the proxy's is the same)."""
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        return self.request("POST", path, form=form)

    def upload(self, path: str, *, field: str, filename: str, content: bytes, form: dict[str, str] | None = None):
        """A multipart form with one file (``field``) and ``form``'s fields, with the CSRF token."""
        boundary = f"----reloop{secrets.token_hex(8)}"
        parts = []
        for name, value in {**(form or {}), "csrfmiddlewaretoken": self.csrf_token()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, body=b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def field_value(page: bytes, name: str) -> str:
    """The value of the form field ``name`` on ``page`` (an input's value attribute)."""
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page.decode(errors="replace"))
    if found is None:
        raise AssertionError(f"no field {name!r} on the page:\n{page[:3000].decode(errors='replace')}")
    return found.group(1)
