"""Fault tests run only in CI's PostgreSQL/Redis pass: they need real concurrency.

Helpers start real processes (gunicorn, Celery workers, a private PostgreSQL) in their
own process groups, on the ports reserved for these tests, and always stop them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# Ports for the processes these tests start (gunicorn) and for a private PostgreSQL.
HTTP_PORTS = range(8400, 8450)
PG_PORTS = range(55440, 55450)


@pytest.fixture
def postgres_only():
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs PostgreSQL (CI's second pass)")


@pytest.fixture
def broker_only(postgres_only):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs CELERY_BROKER_URL (CI's second pass)")


def free_port(candidates) -> int:
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in the range reserved for the fault tests")


class Group:
    """A child process in its own process group; ``kill()`` sends SIGKILL to all of it."""

    def __init__(self, name: str, args: list[str], env: dict):
        self.log_path = Path(tempfile.gettempdir()) / f"fault-{name}-{os.getpid()}.log"
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.alive() or _group_alive(self.proc.pid):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        try:
            return "\n".join(
                self.log_path.read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def child_env(**extra) -> dict:
    """The environment of a child serving the pytest database (config.test_worker)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.test_worker",
            "TEST_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
            "DJANGO_DEBUG": "0",
            "LOG_LEVEL": "ERROR",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def session_cookie(user) -> str:
    """A signed-in session for ``user``, written straight to the session table."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def wait_for(predicate, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_serving(server, base: str, timeout: float = 60) -> None:
    """Wait until the gunicorn ``server`` (a Group) answers ``base``/healthz; fail at
    once with its output if it exits."""
    import requests

    def up():
        if not server.alive():
            pytest.fail(f"gunicorn exited:\n{server.tail()}")
        try:
            return requests.get(f"{base}/healthz", timeout=2).ok
        except requests.RequestException:
            return False

    wait_for(up, timeout, "gunicorn to answer /healthz")


# Celery workers that can be told to stop dead at a chosen point -------------------------

# A killed worker's unacknowledged message comes back after this many seconds.
VISIBILITY_TIMEOUT = 3


class Workers:
    """Celery workers on a private queue; the first can pause at an SQL statement."""

    def __init__(self, tmp: Path):
        from config.celery import app

        self.app = app
        self.queue = f"fault-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.tmp = tmp
        self.started: list[Group] = []
        self.previous = (app.conf.task_always_eager, app.conf.task_default_queue)
        app.conf.task_always_eager = False
        app.conf.task_default_queue = self.queue

    def start(self, *, pause_sql: str | None = None, pause_after: int = 1) -> Group:
        name = f"{self.queue}-{len(self.started)}"
        extra = {
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "FAULT_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT,
        }
        if pause_sql:
            extra.update(
                FAULT_PAUSE_SQL=pause_sql,
                FAULT_PAUSE_AFTER=pause_after,
                FAULT_PAUSE_FILE=self.marker,
            )
        worker = Group(
            "celery",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-Q",
                self.queue,
                "-n",
                f"{name}@%h",
                "--loglevel=WARNING",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            child_env(**extra),
        )
        self.started.append(worker)
        hostname = f"{name}@{socket.gethostname()}"

        def answers():
            if not worker.alive():
                pytest.fail(f"the worker exited at start:\n{worker.tail()}")
            return self.app.control.ping(destination=[hostname], timeout=0.5)

        wait_for(answers, 60, "the Celery worker to answer")
        return worker

    @property
    def marker(self) -> str:
        return str(self.tmp / "paused")

    def wait_paused(self, worker: Group, timeout: float = 60) -> None:
        def paused():
            if not worker.alive():
                pytest.fail(f"the worker died before pausing:\n{worker.tail()}")
            return Path(self.marker).exists()

        wait_for(paused, timeout, "the worker to reach the pause point")

    def close(self) -> None:
        self.app.conf.task_always_eager, self.app.conf.task_default_queue = (
            self.previous
        )
        for worker in self.started:
            worker.stop()
        # Drop what is left of the private queue (nothing should be).
        with self.app.connection_for_write() as conn:
            conn.default_channel.client.delete(self.queue)


@pytest.fixture
def fault_workers(broker_only, transactional_db, tmp_path):
    workers = Workers(tmp_path)
    try:
        yield workers
    finally:
        workers.close()
