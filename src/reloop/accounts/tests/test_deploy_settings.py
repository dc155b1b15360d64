"""`reloop check --deploy` with the documented production settings (docs/legal-and-security.md) is clean: no
warning at all. Run in a fresh process, since settings are read from the environment at start-up."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "shop.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://shop.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
}


def deploy_check(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    environment = {**base, "RELOOP_HOME": str(tmp_path), "SECRET_KEY": secrets.token_urlsafe(60), **env}
    return subprocess.run(  # our own command, fixed arguments
        [sys.executable, "-m", "reloop", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_settings_pass_every_deploy_check(tmp_path):
    result = deploy_check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_the_https_variables_the_check_fails_naming_them(tmp_path):
    result = deploy_check(tmp_path, DEBUG="false", ALLOWED_HOSTS="shop.example.org")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "security.W004" in output, output
    assert "security.W008" in output
