"""Start Reloop's own processes (``reloop serve``, ``worker``, ``scheduler``) against the test database for the
multi-process tests, each in its own process group so a test can SIGKILL it whole."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

from reloop.ops.tests.services import wait_for_port


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

    def serve(self, name: str, port: int, *, workers: int = 1) -> Proc:
        proc = self.start(name, "serve", f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--timeout=20")
        if not wait_for_port(port, timeout=60):
            raise RuntimeError(f"{name} did not listen on {port}:\n{proc.tail()}")
        return proc

    def stop_all(self) -> None:
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
