"""Sessions on shared office PCs: gone when the browser closes, and after idling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

ROOT = Path(__file__).resolve().parents[2]


def test_sessions_end_with_the_browser_and_idle_for_hours_not_weeks():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600


@pytest.mark.django_db
def test_the_session_cookie_is_not_persistent(client, learner):
    client.force_login(learner)
    response = client.get("/learning/")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert response.status_code == 200
    assert not cookie["max-age"] and not cookie["expires"]


@pytest.mark.django_db
def test_an_active_session_has_its_idle_deadline_pushed_back(client, learner, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client.force_login(learner)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(session_key=key)
    store["_idle_refreshed"] = 0  # as if the last refresh was long ago
    store.save()
    client.get("/learning/")
    assert SessionStore(session_key=key)["_idle_refreshed"] > 0


def test_the_browser_close_rule_is_configurable_by_environment():
    env = {**os.environ, "SESSION_EXPIRE_AT_BROWSER_CLOSE": "0"}
    env["SESSION_IDLE_MINUTES"] = "30"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django;django.setup();from django.conf import settings as s;"
            "print(s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SESSION_COOKIE_AGE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["False", "1800"]
