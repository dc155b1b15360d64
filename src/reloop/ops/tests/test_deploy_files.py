"""``deploy/`` checked without Docker (none on the CI machines): the Compose file parses and holds together, every
command it and the Dockerfile run exists, and every environment variable they pass is read by Reloop (or by the
library or image named here) and documented for the operator (README.md or docs/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import get_commands
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[4]
DEPLOY = ROOT / "deploy"
SRC = ROOT / "src" / "reloop"

#: Variables Reloop's processes receive but a library reads, not Reloop's code.
READ_BY_LIBRARIES = {
    "AWS_ACCESS_KEY_ID": "boto3 (django-storages' S3 client)",
    "AWS_SECRET_ACCESS_KEY": "boto3 (django-storages' S3 client)",
}
#: An environment read in code: os.environ.get("X"), os.environ["X"], os.getenv("X"), env_int("X", …) and friends.
READ_IN_CODE = re.compile(
    r"""(?:environ\.get|environ\[|getenv|env_int|env_bool|env_list|env_str)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def reloop_services() -> dict[str, dict[str, Any]]:
    """The services that run Reloop's own image (their command starts with ``reloop``)."""
    return {name: s for name, s in compose()["services"].items() if (s.get("command") or [""])[0] == "reloop"}


def read_by_reloop() -> set[str]:
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            names |= set(READ_IN_CODE.findall(path.read_text()))
    return names


def env_example() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (DEPLOY / "env.example").read_text(), re.MULTILINE))


def interpolated() -> set[str]:
    """``${VAR}`` in the Compose file and ``{$VAR}`` in the Caddyfile: filled from deploy/.env by Compose."""
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (DEPLOY / "compose.yaml").read_text())) | set(
        re.findall(r"\{\$([A-Z][A-Z0-9_]*)\}", (DEPLOY / "Caddyfile").read_text())
    )


def documentation() -> str:
    return "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))])


def test_the_compose_file_holds_together():
    config = compose()
    services = config["services"]
    assert {"proxy", "migrate", "web", "worker", "scheduler", "postgres", "redis", "rabbitmq"} <= set(services)
    volumes = set(config.get("volumes") or {})
    for name, service in services.items():
        needs = service.get("depends_on") or []
        assert set(needs) <= set(services), (name, needs)
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            assert source.startswith(".") or source in volumes, (name, volume)
            if source.startswith("."):
                assert (DEPLOY / source).exists(), (name, volume)
    # the app services share the image and its settings (the x-app anchor), and wait for the migration
    for name in ("web", "worker", "scheduler"):
        assert services[name]["image"] == "reloop:latest"
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["scheduler"]["deploy"]["replicas"] == 1  # one beat, or every job is sent twice


def test_every_command_the_deploy_files_run_exists():
    commands = get_commands()
    run = [service["command"][1] for service in reloop_services().values()]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    instructions = "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    run += re.findall(r"(?<![/\w-])reloop ([a-z_]+)\b", instructions)  # RUN … reloop collectstatic …
    cmd = re.search(r"^CMD (\[.*\])$", instructions, re.MULTILINE)
    assert cmd is not None
    assert yaml.safe_load(cmd.group(1))[0] == "reloop"
    run.append(yaml.safe_load(cmd.group(1))[1])
    assert {"migrate", "serve", "worker", "scheduler", "collectstatic"} <= set(run)
    assert set(run) <= set(commands), set(run) - set(commands)
    # the Dockerfile copies what exists and installs the package that provides the reloop command
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, re.MULTILINE):
        for item in source.split():
            assert (ROOT / item).exists(), item
    assert 'reloop = "reloop.__main__:main"' in (ROOT / "pyproject.toml").read_text()


def test_the_health_checks_and_the_hidden_metrics_point_at_real_urls():
    healthcheck = " ".join(compose()["services"]["web"]["healthcheck"]["test"])
    caddy = (DEPLOY / "Caddyfile").read_text()
    paths = re.findall(r"http://127\.0\.0\.1:8000(/[a-z]+)", healthcheck)
    paths += re.findall(r"health_uri (/\S+)", caddy) + re.findall(r"@internal path (/\S+)", caddy)
    assert sorted(paths) == ["/healthz", "/metrics", "/readyz"]
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"{path} is not a URL of the site")


def test_every_variable_given_to_reloop_is_read_by_it_or_a_named_library():
    given = set(env_example())
    for service in reloop_services().values():
        given |= set(service.get("environment") or {})
    read = read_by_reloop()
    unread = {v for v in given if v not in read and v not in READ_BY_LIBRARIES and v not in interpolated()}
    assert not unread, f"passed to Reloop's processes but read by nothing: {sorted(unread)}"
    # and a library's variable is really that library's
    assert not set(READ_BY_LIBRARIES) & read


def test_every_variable_an_operator_sets_is_documented():
    docs = documentation()
    operator_sets = env_example() | interpolated()
    for service in compose()["services"].values():  # Reloop's and the images' own (POSTGRES_USER…)
        operator_sets |= set(service.get("environment") or {})
    missing = sorted(v for v in operator_sets if not re.search(rf"\b{v}\b", docs))
    assert not missing, f"set in deploy/ but documented nowhere in README.md or docs/: {missing}"


def test_the_compose_file_only_interpolates_what_env_example_provides():
    defaults = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):-", (DEPLOY / "compose.yaml").read_text()))
    assert interpolated() - defaults <= env_example(), interpolated() - defaults - env_example()


def test_settings_load_with_the_optional_error_reporting_configured():
    """SENTRY_DSN is read only in production, so nothing else runs ``sentry_sdk.init``: a subprocess loads the settings
    with a DSN (nothing is sent: the process ends before any event) to catch a changed Sentry API at test time."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SENTRY_DSN": "https://public@127.0.0.1:9/1",
        "SENTRY_TRACES_SAMPLE_RATE": "0",
        "DJANGO_SETTINGS_MODULE": "reloop.settings",
    }
    probe = "import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())"
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("True")
