"""A Redis outage: the site keeps serving, and recovers by itself.

The test starts its own redis-server on a port reserved for it (never the machine's
Redis), points the cache and the cached sessions at it as production does, and stops
it: sign-in, a signed-in page and the sign-in rate limit still answer, /healthz
names the cache as down. Started again, everything uses it again. A Redis that
hangs instead (SIGSTOP) is answered as a miss within the socket timeout, and a
session signed out while it hung does not come back when it wakes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time

import pytest

from tests.factories import StaffFactory
from tests.faults.conftest import Group, free_port, wait_for

pytestmark = pytest.mark.django_db

# Ports for the redis-server these tests start.
REDIS_PORTS = range(6391, 6400)
SESSION_PREFIX = "django.contrib.sessions.cached_db"


class Redis:
    """A private redis-server without persistence, on its own port."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("no redis-server: cannot start a private Redis")
        self.binary = binary
        self.port = free_port(REDIS_PORTS)
        self.dir = tempfile.mkdtemp(prefix="fault-redis-")
        self.server: Group | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.server = Group(
            f"redis-{self.port}",
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            dict(os.environ),
        )
        wait_for(self.answers, 20, "redis-server to answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def pause(self) -> None:
        os.kill(self.server.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.server.pid, signal.SIGCONT)

    def keys(self, pattern: str) -> list[bytes]:
        import redis

        return redis.Redis.from_url(self.url).keys(pattern)


@pytest.fixture
def own_redis(postgres_only, settings):
    """The cache and cached sessions on a private Redis, as config/settings.py sets
    them up when REDIS_URL is given."""
    server = Redis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {
                "socket_connect_timeout": 0.3,
                "socket_timeout": 0.3,
                "RETRY_AFTER": 0.5,
            },
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.RATE_LIMITS = {"sign_in": (50, 300), "password_reset": (5, 3600)}
    try:
        yield server
    finally:
        if server.server is not None:
            server.resume()
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture
def person(tree):
    profile = StaffFactory(unit=tree["G1"], staff_no="R001", name="赵八")
    profile.user.set_password("pass12345")
    profile.user.save()
    return profile


def sign_in(client):
    return client.post(
        "/accounts/login/", {"username": "R001", "password": "pass12345"}
    )


def cache_state(client) -> str:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()["cache"]


def test_the_site_serves_through_a_redis_outage_and_recovers(own_redis, person):
    from django.test import Client

    before = Client()
    assert sign_in(before).status_code == 302
    assert before.get("/learning/").status_code == 200
    assert cache_state(before) == "ok"
    assert own_redis.keys(f"*{SESSION_PREFIX}*")  # the session is cached

    own_redis.stop()
    # Signed in before the outage: still signed in (the session is in the database).
    assert before.get("/learning/").status_code == 200
    # Signing in during the outage works, and so does the page after it.
    during = Client()
    assert sign_in(during).status_code == 302
    assert during.get("/learning/").status_code == 200
    assert cache_state(during) == "down"

    own_redis.start()
    wait_for(lambda: cache_state(Client()) == "ok", 20, "the cache to be used again")
    after = Client()
    assert sign_in(after).status_code == 302
    assert after.get("/learning/").status_code == 200
    assert during.get("/learning/").status_code == 200
    assert own_redis.keys(f"*{SESSION_PREFIX}*")  # sessions are cached again
    assert own_redis.keys("*ratelimit:sign_in*")  # and the limit counts again


def test_a_hanging_redis_costs_a_timeout_and_forgets_nothing_it_missed(
    own_redis, person
):
    from django.test import Client

    client = Client()
    assert sign_in(client).status_code == 302
    cookie = client.cookies["sessionid"].value
    assert own_redis.keys(f"*{SESSION_PREFIX}{cookie}")

    own_redis.pause()
    # Served from the database while Redis does not answer; then signed out.
    assert client.get("/learning/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    own_redis.resume()

    # The copy of the signed-out session that Redis kept is deleted as soon as it
    # answers again, before anything is read from it: the old cookie signs nobody in.
    from django.core.cache import cache

    time.sleep(0.6)  # the backend's pause after a failure (RETRY_AFTER)
    cache.get("anything")
    assert not own_redis.keys(f"*{SESSION_PREFIX}{cookie}")
    thief = Client()
    thief.cookies["sessionid"] = cookie
    response = thief.get("/learning/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
