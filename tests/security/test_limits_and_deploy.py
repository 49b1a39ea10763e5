"""Upload limits, sign-in throttling and the production deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from organisation.tabular import ImportRejected, read_table

ROOT = Path(__file__).resolve().parents[2]


def test_upload_limits_are_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 20 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE <= 20 * 1024 * 1024
    assert settings.IMPORT_MAX_BYTES <= 100 * 1024 * 1024
    assert "exe" not in settings.WAGTAILDOCS_EXTENSIONS
    assert "html" not in settings.WAGTAILDOCS_EXTENSIONS
    assert "svg" not in settings.WAGTAILDOCS_EXTENSIONS


@override_settings(IMPORT_MAX_BYTES=1024)
def test_an_oversized_import_file_is_refused_before_parsing():
    with pytest.raises(ImportRejected) as refused:
        read_table(b"code,name\n" + b"A,B\n" * 1000, filename="units.csv")
    assert refused.value.errors[0].row == 0


@pytest.mark.django_db
def test_an_oversized_request_body_is_refused():
    client = Client()
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = client.post(
            "/accounts/login/", {"username": "x", "password": "y" * 4096}
        )
    assert response.status_code == 400


@pytest.mark.django_db
def test_repeated_failed_sign_ins_are_throttled(learner):
    learner.set_password("right-password-1")
    learner.save()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "L0001", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "L0001", "password": "right-password-1"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429, 200)


def test_check_deploy_passes_with_production_settings():
    env = dict(os.environ)
    # The browser tests allow sync ORM calls beside Playwright's loop; production must not.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.production",
            "DJANGO_SECRET_KEY": "security-suite-" + "k7Qz!p2#Lm9v" * 5,
            "DJANGO_ALLOWED_HOSTS": "training.example",
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": env.get(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unused"
            ),
            "CELERY_BROKER_URL": env.get(
                "CELERY_BROKER_URL", "redis://127.0.0.1:6379/9"
            ),
            "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
