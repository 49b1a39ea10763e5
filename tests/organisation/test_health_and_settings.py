import pytest
from django.core.checks import run_checks
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


def test_healthz_reports_a_dead_database(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    assert client.get("/healthz").status_code == 503


@override_settings(
    PRODUCTION=True, CELERY_TASK_ALWAYS_EAGER=True, CELERY_BROKER_URL="", REDIS_URL=""
)
def test_production_refuses_development_defaults(monkeypatch):
    from django.conf import settings

    # The check reads the configured engine; make it SQLite whatever the suite runs on.
    monkeypatch.setitem(
        settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3"
    )
    ids = {e.id for e in run_checks()}
    assert {"platform.E001", "platform.E002", "platform.E003", "platform.E004"} <= ids


@override_settings(
    PRODUCTION=True,
    CELERY_TASK_ALWAYS_EAGER=False,
    CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    REDIS_URL="redis://127.0.0.1:6379/1",
    SECRET_KEY="a-real-secret-key-for-the-test-0123456789-abcdefghijklmnop",
    ALLOWED_HOSTS=["training.example"],
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}},
)
def test_production_settings_pass_when_configured():
    ids = {e.id for e in run_checks()}
    assert not {i for i in ids if i.startswith("platform.")}


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("redis://127.0.0.1:6379/1", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_are_cached_only_in_a_cache_every_process_shares(redis_url, engine):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SESSION_ENGINE)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == engine
