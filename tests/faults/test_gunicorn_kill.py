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


class _Storm:
    """The learners' clients and the killer, sharing what was acknowledged."""

    def __init__(self, server, base: str, learners: list[tuple[str, int]]) -> None:
        self.server = server
        self.base = base
        self.learners = learners
        self.acknowledged: dict[tuple[int, int], dict] = {}
        self.interrupted: list[str] = []
        self.failures: list[str] = []
        self.kills: list[int] = []
        self.saves = 0
        self.lock = threading.Lock()
        self.done = threading.Event()  # set by the killer once its quota is killed
        self.started = time.monotonic()

    def _past_deadline(self) -> bool:
        return time.monotonic() > self.started + DEADLINE

    def client(self, k: int) -> None:
        import requests

        http = requests.Session()
        for n in range(k, LEARNERS, CLIENT_THREADS):
            sessionid, attempt = self.learners[n]
            http.cookies.clear()
            http.cookies.set("sessionid", sessionid, domain="127.0.0.1")
            http.cookies.set("csrftoken", "f" * 32, domain="127.0.0.1")
            http.headers["X-CSRFToken"] = "f" * 32
            if not self._answer_rounds(http, n, attempt):
                return

    def _answer_rounds(self, http, n: int, attempt: int) -> bool:
        """Answer every position, round after round, until the killer is done;
        False when the learner gave up."""
        seq = 0
        round_ = 0
        while round_ < MIN_ROUNDS or not self.done.is_set():
            for position in range(1, 5):
                answer = {"text": f"{n}.{round_}.{position}"}
                seq = self.save(http, attempt, seq, position, answer)
                if seq is None:
                    return False
                with self.lock:
                    self.acknowledged[(attempt, position)] = answer
                    self.saves += 1
            round_ += 1
            if self._past_deadline():
                with self.lock:
                    self.failures.append(f"attempt {attempt}: storm past {DEADLINE} s")
                return False
        return True

    def _note(self, what: str) -> None:
        with self.lock:
            self.interrupted.append(what)

    def save(self, http, attempt: int, seq: int, position: int, answer: dict):
        """One autosave with retries, as the page does: on a dropped connection or an
        error status, retry; on "out of date", reload the page for the sequence number."""
        import requests

        last = ""
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            try:
                reply = http.post(
                    f"{self.base}/quizzes/attempts/{attempt}/save/",
                    data=json.dumps({"seq": seq, "answers": {position: answer}}),
                    headers={"Content-Type": "application/json"},
                    timeout=20,
                )
            except requests.RequestException as error:
                last = type(error).__name__
                self._note(last)
                time.sleep(0.1)
                continue
            if reply.status_code == 200:
                return reply.json()["seq"]
            if reply.status_code == 409 and reply.json().get("code") == "stale":
                # The interrupted save had been written after all: reload, then resend.
                seq = self._reload_seq(http, attempt, seq)
                self._note("stale")
                continue
            last = f"{reply.status_code} {reply.text[:200]}"
            self._note(str(reply.status_code))
            time.sleep(0.1)
        with self.lock:
            self.failures.append(
                f"attempt {attempt} position {position}: no save within 30 s ({last})"
            )
        return None

    def _reload_seq(self, http, attempt: int, seq: int) -> int:
        page = http.get(f"{self.base}/quizzes/attempts/{attempt}/", timeout=20)
        found = SEQ.search(page.text) if page.ok else None
        return int(found.group(1)) if found else seq

    def killer(self) -> None:
        """Kill a worker once the learners have saved something since the last kill,
        at a random moment, until the quota is reached; then let the storm finish."""
        rng = random.Random(7)
        seen = 0
        while len(self.kills) < KILLS and not self._past_deadline():
            time.sleep(rng.uniform(0.5, 1.2))
            with self.lock:
                progressed, seen = self.saves > seen, self.saves
            workers = _workers_of(self.server.pid)
            if not (progressed and workers):
                continue
            victim = rng.choice(workers)
            try:
                os.kill(victim, signal.SIGKILL)
                self.kills.append(victim)
            except ProcessLookupError:
                pass
        self.done.set()


def test_answers_acknowledged_while_workers_are_killed_are_all_stored(
    gunicorn, reference_data, tree
):
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

    storm = _Storm(server, base, learners)
    threads = [
        threading.Thread(target=storm.client, args=(k,)) for k in range(CLIENT_THREADS)
    ]
    chaos = threading.Thread(target=storm.killer)
    storm.started = time.monotonic()
    chaos.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DEADLINE + 40)
    chaos.join()
    took = time.monotonic() - storm.started

    assert not storm.failures, storm.failures
    kills = storm.kills
    assert len(kills) == KILLS, f"only {len(kills)} of {KILLS} workers were killed"
    assert len(storm.acknowledged) == LEARNERS * 4
    stored = {
        (a, p): answer
        for a, p, answer in Response.objects.filter(
            item__attempt__quiz=quiz
        ).values_list("item__attempt_id", "item__position", "answer")
    }
    lost = {k: v for k, v in storm.acknowledged.items() if stored.get(k) != v}
    assert not lost, (
        f"{len(lost)} acknowledged answers are missing: {list(lost.items())[:5]}"
    )
    print(
        f"\n{len(kills)} workers killed in {took:.1f} s, {storm.saves} saves; "
        f"{len(storm.interrupted)} interrupted saves retried "
        f"({sorted(set(storm.interrupted))})"
    )
