import os

import pytest
from django.core.checks import run_checks
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    # The cache and the broker are named separately (here: local memory, and tasks
    # run in-process).
    assert body["cache"] in {"ok", "local"} and body["broker"] in {"ok", "eager"}


def test_healthz_reports_a_dead_database(client, monkeypatch):
    from django.db import connection

    def broken(*args, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_healthz_names_an_unreachable_cache_and_broker_but_stays_up(client, settings):
    from config.celery import app

    # Nothing listens on port 1: both connections are refused.
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    previous = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "down",
        "broker": "down",
    }


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
    TRUSTED_PROXY_COUNT=1,
)
def test_production_settings_pass_when_configured():
    ids = {e.id for e in run_checks()}
    assert not {i for i in ids if i.startswith("platform.")}


@override_settings(PRODUCTION=True, TRUSTED_PROXY_COUNT=0)
def test_production_mentions_a_missing_proxy_setting():
    assert "platform.I001" in {e.id for e in run_checks()}


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


def test_the_redis_cache_keeps_one_client_per_pool():
    """Building a redis-py client costs more than a quarter of a cache read, so the
    backend keeps one per server instead of one per call."""
    from config.cache import RedisCache

    one = RedisCache("redis://127.0.0.1:6379/5", {}).redis.client
    client = one.get_client(write=False)
    assert one.get_client(write=False) is client
    assert one.get_client(write=True) is client
    two = RedisCache("redis://127.0.0.1:6379/5,redis://127.0.0.1:6379/6", {})
    writer = two.redis.client.get_client(write=True)
    reader = two.redis.client.get_client(write=False)
    assert writer is not reader
    assert writer.connection_pool is not reader.connection_pool
    assert two.redis.client.get_client(write=False) is reader


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs the Redis the settings point at"
)
def test_the_configured_cache_stores_and_forgets_through_the_kept_client():
    from django.core.cache import caches

    from config.cache import RedisCache

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.delete("kept-client-check")
    assert cache.add("kept-client-check", {"n": 1}, 30)
    assert not cache.add("kept-client-check", {"n": 2}, 30)
    assert cache.get("kept-client-check") == {"n": 1}
    cache.delete("kept-client-check")
    assert cache.get("kept-client-check") is None


def test_an_unreachable_cache_answers_as_a_miss_instead_of_raising():
    from config.cache import RedisCache

    cache = RedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert not cache.has_key("k") and "k" not in cache
    cache.set("k", 1)
    cache.set_many({"a": 1})
    cache.delete("k")
    cache.delete_many(["a"])
    assert cache.add("lock", 1) is False  # a lock that cannot be kept is not taken
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert cache.get_or_set("k", 5) == 5
    assert not cache.ping() and not cache.reachable
