import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_health_answers_when_the_master_database_does(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_is_503_when_the_master_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("server closed the connection")

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)
    response = client.get("/health/")
    assert response.status_code == 503


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY", "HTTPS")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check():
    secret = "x" * 20 + "-Prod-Secret-" + "y" * 40
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="False", SECRET_KEY=secret, ENV_FILE="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="False", ENV_FILE="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def settings_of(*names: str, **env: str) -> list[str]:
    code = f"from django.conf import settings; print(*[repr(getattr(settings, n)) for n in {names!r}], sep='\\n')"
    result = manage("shell", "--no-imports", "-c", code, ENV_FILE="", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_account_settings_come_from_the_environment():
    secret = "x" * 20 + "-Prod-Secret-" + "y" * 40
    production = settings_of("SUPERUSER_2FA", "EMAIL_BACKEND", DEBUG="False", SECRET_KEY=secret)
    assert production == ["True", "'django.core.mail.backends.console.EmailBackend'"]
    assert settings_of("SUPERUSER_2FA", DEBUG="True") == ["False"]
    chosen = settings_of(
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "SUPERUSER_2FA",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "BEHIND_PROXY",
        DEBUG="False",
        SECRET_KEY=secret,
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="30",
        SUPERUSER_2FA="False",
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.az:587",
        DEFAULT_FROM_EMAIL="MedRep <crm@example.az>",
        BEHIND_PROXY="True",
    )
    assert chosen == [
        "3",
        "datetime.timedelta(seconds=1800)",
        "False",
        "'mail.example.az'",
        "587",
        "True",
        "'MedRep <crm@example.az>'",
        "True",
    ]
