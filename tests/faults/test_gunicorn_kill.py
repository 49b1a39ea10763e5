"""A quiz storm while gunicorn workers are killed with SIGKILL, one every second or so:
every answer acknowledged with a 2xx is in the database with the acknowledged value;
an interrupted save fails cleanly (a dropped connection or an error status, nothing
half-written) and the learner's retry succeeds.

The learners keep answering, round after round, until the killer has killed its
quota of workers, so that a fast machine cannot finish the storm before the first
kill and a slow one still sees every kill land among saves."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.faults.conftest import (
    HTTP_PORTS,
    Group,
    child_env,
    free_port,
    session_cookie,
    wait_serving,
)

pytestmark = pytest.mark.django_db(transaction=True)

LEARNERS = 30
CLIENT_THREADS = 8
GUNICORN_WORKERS = 3
KILLS = 4
MIN_ROUNDS = 2
DEADLINE = 90  # seconds for the whole storm
SEQ = re.compile(r'name="seq" value="(\d+)"')


def _workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return [int(p) for p in children.read_text().split()]
    except OSError:
        return []


@pytest.fixture
def gunicorn(postgres_only, transactional_db):
    port = free_port(HTTP_PORTS)
    server = Group(
        "gunicorn",
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "-w",
            str(GUNICORN_WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "2",
            # Workers fork from a loaded application, so that a killed one is back
            # within a moment and the storm is not mostly waiting for start-ups.
            "--preload",
        ],
        child_env(TEST_TASKS_EAGER="1", CELERY_BROKER_URL=""),
    )
    base = f"http://127.0.0.1:{port}"

    try:
        wait_serving(server, base)
        yield server, base
    finally:
        server.stop()


def test_answers_acknowledged_while_workers_are_killed_are_all_stored(
    gunicorn, reference_data, tree
):
    import requests

    from assessments.models import Response
    from assessments.services import attempt_start
    from tests.assessments.factories import make_question, make_quiz
    from tests.factories import StaffFactory

    server, base = gunicorn
    questions = [
        make_question(f"GK-{n}", type="numeric", numeric_answer=n) for n in range(4)
    ]
    quiz = make_quiz("fault-gunicorn", questions)
    learners = []
    for n in range(LEARNERS):
        user = StaffFactory(unit=tree["G1-D1"], staff_no=f"GK{n:03}").user
        attempt = attempt_start(user=user, quiz=quiz)
        learners.append((session_cookie(user), attempt.pk))

    acknowledged: dict[tuple[int, int], dict] = {}
    interrupted: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    done = threading.Event()  # set by the killer once its quota is killed
    saves = [0]

    def client(k: int) -> None:
        http = requests.Session()
        for n in range(k, LEARNERS, CLIENT_THREADS):
            sessionid, attempt = learners[n]
            http.cookies.clear()
            http.cookies.set("sessionid", sessionid, domain="127.0.0.1")
            http.cookies.set("csrftoken", "f" * 32, domain="127.0.0.1")
            http.headers["X-CSRFToken"] = "f" * 32
            seq = 0
            round_ = 0
            while round_ < MIN_ROUNDS or not done.is_set():
                for position in range(1, 5):
                    answer = {"text": f"{n}.{round_}.{position}"}
                    seq = save(http, attempt, seq, position, answer)
                    if seq is None:
                        return
                    with lock:
                        acknowledged[(attempt, position)] = answer
                        saves[0] += 1
                round_ += 1
                if time.monotonic() > started + DEADLINE:
                    with lock:
                        failures.append(f"attempt {attempt}: storm past {DEADLINE} s")
                    return

    def save(http, attempt, seq, position, answer):
        """One autosave with retries, as the page does: on a dropped connection or an
        error status, retry; on "out of date", reload the page for the sequence number."""
        last = ""
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            try:
                reply = http.post(
                    f"{base}/quizzes/attempts/{attempt}/save/",
                    data=json.dumps({"seq": seq, "answers": {position: answer}}),
                    headers={"Content-Type": "application/json"},
                    timeout=20,
                )
            except requests.RequestException as error:
                last = type(error).__name__
                with lock:
                    interrupted.append(last)
                time.sleep(0.1)
                continue
            if reply.status_code == 200:
                return reply.json()["seq"]
            if reply.status_code == 409 and reply.json().get("code") == "stale":
                # The interrupted save had been written after all: reload, then resend.
                page = http.get(f"{base}/quizzes/attempts/{attempt}/", timeout=20)
                found = SEQ.search(page.text) if page.ok else None
                if found:
                    seq = int(found.group(1))
                with lock:
                    interrupted.append("stale")
                continue
            last = f"{reply.status_code} {reply.text[:200]}"
            with lock:
                interrupted.append(str(reply.status_code))
            time.sleep(0.1)
        with lock:
            failures.append(
                f"attempt {attempt} position {position}: no save within 30 s ({last})"
            )
        return None

    kills = []

    def killer() -> None:
        """Kill a worker once the learners have saved something since the last kill,
        at a random moment, until the quota is reached; then let the storm finish."""
        rng = random.Random(7)
        seen = 0
        while len(kills) < KILLS and time.monotonic() < started + DEADLINE:
            time.sleep(rng.uniform(0.5, 1.2))
            with lock:
                progressed, seen = saves[0] > seen, saves[0]
            workers = _workers_of(server.pid)
            if not (progressed and workers):
                continue
            victim = rng.choice(workers)
            try:
                os.kill(victim, signal.SIGKILL)
                kills.append(victim)
            except ProcessLookupError:
                pass
        done.set()

    threads = [
        threading.Thread(target=client, args=(k,)) for k in range(CLIENT_THREADS)
    ]
    chaos = threading.Thread(target=killer)
    started = time.monotonic()
    chaos.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DEADLINE + 40)
    chaos.join()
    took = time.monotonic() - started

    assert not failures, failures
    assert len(kills) == KILLS, f"only {len(kills)} of {KILLS} workers were killed"
    assert len(acknowledged) == LEARNERS * 4
    stored = {
        (a, p): answer
        for a, p, answer in Response.objects.filter(
            item__attempt__quiz=quiz
        ).values_list("item__attempt_id", "item__position", "answer")
    }
    lost = {k: v for k, v in acknowledged.items() if stored.get(k) != v}
    assert not lost, (
        f"{len(lost)} acknowledged answers are missing: {list(lost.items())[:5]}"
    )
    print(
        f"\n{len(kills)} workers killed in {took:.1f} s, {saves[0]} saves; "
        f"{len(interrupted)} interrupted saves retried ({sorted(set(interrupted))})"
    )
