"""A PostgreSQL restart under load: the platform recovers by itself.

The test starts a private PostgreSQL cluster (never the machine's server) on a port
reserved for it, copies the test database into it, serves it with gunicorn, and
while learners save answers stops the server (``pg_ctl stop -m fast``) and starts it
again. Requests during the outage fail cleanly; every request after the restart
succeeds without restarting anything (persistent connections are health-checked), and
every save acknowledged before or after is stored.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.conftest import (
    HTTP_PORTS,
    PG_PORTS,
    Group,
    free_port,
    session_cookie,
    wait_serving,
)

pytestmark = pytest.mark.django_db(transaction=True)

SEQ = re.compile(r'name="seq" value="(\d+)"')


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found and not shutil.which("initdb"):
            pytest.skip("no initdb: cannot start a private PostgreSQL")
        self.bin = (
            Path(found[-1]).parent if found else Path(shutil.which("initdb")).parent
        )
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.data = self.dir / "data"
        self.port = free_port(PG_PORTS)
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            # PostgreSQL refuses to run as root: the cluster belongs to "postgres".
            shutil.chown(self.dir, "postgres", "postgres")
        self.run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )

    def run(self, tool: str, *args: str, check: bool = True, **kwargs):
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, timeout=60, **kwargs
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=40"
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run(
                "pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False
            )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster(postgres_only):
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def _copy_test_database(cluster: Cluster, name: str) -> None:
    """The test database (schema and rows) into the private cluster."""
    db = settings.DATABASES["default"]
    env = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    dump = subprocess.run(
        [
            str(cluster.bin / "pg_dump"),
            "--no-owner",
            "--no-privileges",
            "-h",
            db.get("HOST") or "127.0.0.1",
            "-p",
            str(db.get("PORT") or 5432),
            "-U",
            db.get("USER") or "postgres",
            db["NAME"],
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    psql = [
        str(cluster.bin / "psql"),
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        str(cluster.port),
        "-U",
        "postgres",
    ]
    subprocess.run(
        [*psql, "-c", f'CREATE DATABASE "{name}"'],
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [*psql, "-d", name],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_the_platform_recovers_from_a_database_restart_under_load(
    cluster, reference_data, tree
):
    import requests

    from assessments.models import AttemptItem, Response
    from assessments.services import attempt_start
    from tests.assessments.factories import make_question, make_quiz
    from tests.factories import StaffFactory

    questions = [
        make_question(f"PR-{n}", type="numeric", numeric_answer=n) for n in range(2)
    ]
    quiz = make_quiz("fault-restart", questions)
    learners = []
    for n in range(4):
        user = StaffFactory(unit=tree["G1-D1"], staff_no=f"PR{n:03}").user
        learners.append((session_cookie(user), attempt_start(user=user, quiz=quiz).pk))
    _copy_test_database(cluster, "restart")

    port = free_port(HTTP_PORTS)
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=cluster.url("restart"),
        DATABASE_CONN_MAX_AGE="60",
        DJANGO_DEBUG="0",
        CELERY_BROKER_URL="",
        REDIS_URL="",
        LOG_LEVEL="ERROR",
    )
    server = Group(
        "gunicorn-pg",
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--preload",
        ],
        env,
    )
    base = f"http://127.0.0.1:{port}"

    outcomes: list[tuple[float, float, bool]] = []  # (sent, answered, ok)
    acknowledged: dict[int, dict] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def learner(k: int) -> None:
        sessionid, attempt = learners[k]
        http = requests.Session()
        http.cookies.set("sessionid", sessionid, domain="127.0.0.1")
        http.cookies.set("csrftoken", "f" * 32, domain="127.0.0.1")
        http.headers["X-CSRFToken"] = "f" * 32
        seq, n = 0, 0
        while not stop.is_set():
            n += 1
            answer = {"text": f"{k}.{n}"}
            sent = time.monotonic()
            try:
                reply = http.post(
                    f"{base}/quizzes/attempts/{attempt}/save/",
                    data=json.dumps({"seq": seq, "answers": {1: answer}}),
                    headers={"Content-Type": "application/json"},
                    timeout=10,
                )
                ok = reply.status_code == 200
                if ok:
                    seq = reply.json()["seq"]
                    with lock:
                        acknowledged[attempt] = answer
                elif reply.status_code == 409:
                    # A save lost in the outage may have been written: reload the page.
                    page = http.get(f"{base}/quizzes/attempts/{attempt}/", timeout=10)
                    found = SEQ.search(page.text) if page.ok else None
                    ok = bool(found)
                    if found:
                        seq = int(found.group(1))
            except requests.RequestException:
                ok = False
            with lock:
                outcomes.append((sent, time.monotonic(), ok))
            time.sleep(0.02)

    try:
        wait_serving(server, base)
        threads = [threading.Thread(target=learner, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        time.sleep(2)
        down_at = time.monotonic()
        cluster.stop("fast")
        time.sleep(1.5)
        cluster.start()
        back_at = time.monotonic()
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        stop.set()
        server.stop()

    before = [ok for _sent, answered, ok in outcomes if answered < down_at]
    during = [
        ok for sent, answered, ok in outcomes if answered >= down_at and sent < back_at
    ]
    after = [ok for sent, _answered, ok in outcomes if sent >= back_at]
    assert before and all(before), "saves failed before the restart"
    assert during and not all(during), "the restart did not interrupt anything"
    assert len(after) >= 8, "too few requests after the restart"
    assert all(after), (
        f"{after.count(False)} of {len(after)} requests failed after the restart"
    )

    # Every acknowledged save survived the restart.
    import psycopg

    with psycopg.connect(cluster.url("restart")) as conn:
        rows = conn.execute(
            f"SELECT i.attempt_id, r.answer FROM {Response._meta.db_table} r "
            f"JOIN {AttemptItem._meta.db_table} i ON i.id = r.item_id "
            "WHERE i.position = 1 AND i.attempt_id = ANY(%s)",
            [list(acknowledged)],
        ).fetchall()
    stored = dict(rows)
    assert stored == acknowledged
