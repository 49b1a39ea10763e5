"""What every benchmark command shares: the child processes it starts and stops
(gunicorn, a Celery worker, ``manage.py``), the database it builds on, and the
closed-loop load it sends to 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CSRF = "benchcsrfsecretbenchcsrfsecret00"  # 32 characters: an unmasked CSRF secret


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Processes -----------------------------------------------------------------------


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(extra or {})
    return env


def _manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=_env(), check=True)


def _database_ensure(url: str, fresh: bool) -> bool:
    """Create the database (dropping it first when fresh); True when it is new."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and fresh:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _redis_answers(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1
        ) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Service:
    """A child process started in its own process group and stopped with it."""

    def __init__(self, name: str, args: list[str], env: dict):
        self.name = name
        self.log = open(f"/tmp/bench-{name}-{os.getpid()}.log", "w")
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def _group_cpu_seconds(pgid: int) -> float:
    """CPU seconds used so far by the processes of one process group (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, … utime (12th), stime (13th).
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_quiet(
    services: list[Service], database_url: str, timeout: float = 60
) -> float:
    """Wait until the started services have finished starting up and PostgreSQL has
    no autovacuum running (after a bulk load, or the writes of the size before), so
    that the first measured rounds do not share the machine with them. Returns the
    seconds waited."""
    import psycopg

    started = time.monotonic()
    deadline = started + timeout
    before = sum(_group_cpu_seconds(s.proc.pid) for s in services)
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = sum(_group_cpu_seconds(s.proc.pid) for s in services)
            busy, before = now - before > 0.05, now
            vacuums = conn.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE backend_type = 'autovacuum worker'"
            ).fetchone()[0]
            if not busy and not vacuums:
                break
    return round(time.monotonic() - started, 1)


def start_gunicorn(port: int, workers: int, name: str = "gunicorn") -> Service:
    service = Service(
        name,
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        _env(),
    )
    import requests

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if service.proc.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {service.log.name}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return service
        except requests.RequestException:
            pass
        time.sleep(0.5)
    service.stop()
    raise SystemExit("gunicorn did not answer /healthz within 90 s")


def start_worker() -> Service:
    return Service(
        "celery",
        [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        _env(),
    )


# Load generation ---------------------------------------------------------------


def _session(sessionid: str):
    import requests

    s = requests.Session()
    s.cookies.set("sessionid", sessionid, domain="127.0.0.1")
    s.cookies.set("csrftoken", CSRF, domain="127.0.0.1")
    s.headers["X-CSRFToken"] = CSRF
    return s


def throughput(base: str, sessions: list[str], request, seconds: float) -> dict:
    """Closed-loop load: one thread per session, each sending ``request(http, i,
    state)`` back to back for ``seconds``. Returns requests per second and errors."""
    stop = time.monotonic() + seconds
    counts = [0] * len(sessions)
    errors = [0] * len(sessions)
    latencies: list[float] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        http = _session(sessions[i])
        state: dict = {}
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                ok = request(http, base, i, state)
            except Exception:  # a refused connection counts as an error
                ok = False
            mine.append(time.perf_counter() - started)
            if ok:
                counts[i] += 1
            else:
                errors[i] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": round(sum(counts) / elapsed, 1),
        "requests": sum(counts),
        "seconds": round(elapsed, 3),
        "errors": sum(errors),
        "p50_ms": round(_pct(latencies, 50) * 1000, 1),
    }


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


# Fixtures inside the database -------------------------------------------------------


def session_for(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key
