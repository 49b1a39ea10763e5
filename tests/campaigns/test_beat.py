"""Reminders sent by a real Celery beat and a real worker (CI's PostgreSQL/Redis pass).

The beat runs a test-only schedule (tests/campaigns/beat_app.py: both reminder jobs
every second), so within a few seconds each job fires many times: every person still
gets each message once, in their own language, as a notification and one email.
"""

import datetime as dt
import email
import os
import subprocess
import sys
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from learning.campaigns.models import Notification, Reminder
from organisation.models import LanguagePreference
from tests.factories import StaffFactory

from .factories import make_campaign, make_course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[2]
SEPARATOR = "\n" + "-" * 79 + "\n"


def _celery(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", *args, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )


@pytest.fixture
def beat_and_worker(transactional_db, tmp_path):
    """Starts, when called, a worker and a beat on the configured broker and the test
    database; both are stopped after the test."""
    from config.celery import app

    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL (CI's second pass)")
    queue = f"test-beat-{os.getpid()}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.campaigns.beat_settings",
        "TEST_DATABASE_NAME": settings.DATABASES["default"]["NAME"],
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "TEST_EMAIL_DIR": str(mail_dir),
    }
    name = f"{queue}@localhost"
    processes = []

    def start() -> str:
        processes.append(
            _celery(
                ["-A", "config", "worker", "--pool=prefork", "--concurrency=2"]
                + ["-Q", queue, "-n", name, "--without-heartbeat"]
                + ["--without-gossip", "--without-mingle"],
                env,
            )
        )
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=1.0):
            if processes[0].poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start")
        processes.append(
            _celery(
                ["-A", "tests.campaigns.beat_app", "beat"]
                + ["-s", str(tmp_path / "schedule"), "--pidfile", ""],
                env,
            )
        )
        return name

    yield start, mail_dir
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _emails(mail_dir: Path) -> list[tuple[str, str]]:
    """(recipient, subject) of every email the worker wrote."""
    found = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_text(encoding="utf-8").split(SEPARATOR):
            if chunk.strip():
                message = email.message_from_string(chunk)
                subject = str(make_header(decode_header(message["Subject"])))
                found.append((message["To"], subject))
    return found


def _runs(name: str, task: str) -> int:
    from config.celery import app

    stats = app.control.inspect(destination=[name], timeout=2.0).stats() or {}
    return stats.get(name, {}).get("total", {}).get(task, 0)


def test_beat_and_worker_send_each_reminder_once_in_its_language(
    reference_data, tree, unit_leader, beat_and_worker
):
    start, mail_dir = beat_and_worker
    today = timezone.localdate()
    course = make_course(reference_data, "LAW-1")
    people = [
        StaffFactory(unit=tree["G1-D1"], staff_no=f"B{n}", email=f"b{n}@jcy.example")
        for n in range(2)
    ]
    for person in people:
        person.user.email = person.email
        person.user.save()
    unit_leader.email = "leader@jcy.example"
    unit_leader.save()
    LanguagePreference.objects.create(user=people[1].user, language="en")
    make_campaign(
        [course],
        starts_on=today - dt.timedelta(days=10),
        due_on=today + dt.timedelta(days=7),
    )
    # Each of the three learners is due in 7 days; the leader's digest covers G1.
    expected = 4

    name = start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        sent = Reminder.objects.filter(status="sent").count()
        learner_runs = _runs(name, "learning.campaigns.tasks.send_learner_reminders")
        digest_runs = _runs(name, "learning.campaigns.tasks.send_leader_digests")
        if sent >= expected and learner_runs >= 2 and digest_runs >= 2:
            break
        time.sleep(0.5)
    time.sleep(2)  # more ticks of the beat; nothing new may come of them

    assert _runs(name, "learning.campaigns.tasks.send_learner_reminders") >= 2
    assert _runs(name, "learning.campaigns.tasks.send_leader_digests") >= 2
    reminders = list(Reminder.objects.order_by("kind", "user_id"))
    assert [(r.kind, r.status) for r in reminders] == [
        ("digest", "sent"),
        ("due_7", "sent"),
        ("due_7", "sent"),
        ("due_7", "sent"),
    ]
    assert Notification.objects.count() == expected
    emails = _emails(mail_dir)
    assert len(emails) == expected
    due_soon = {
        to: subject.split("：")[0].split(":")[0]
        for to, subject in emails
        if not subject.startswith("培训周报")
    }
    assert due_soon == {
        "b0@jcy.example": "必修培训7天后截止",
        "b1@jcy.example": "Mandatory training due in 7 days",
        "leader@jcy.example": "必修培训7天后截止",
    }
    assert any(
        to == "leader@jcy.example" and subject.startswith("培训周报")
        for to, subject in emails
    )
