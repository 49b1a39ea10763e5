import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.factories import StaffFactory, UnitFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def reference_data(db):
    """Data the migrations load. Transactional tests flush it, so they ask for it again."""
    from cms.services import site_ensure_home
    from organisation.migrations import _reference

    _reference.load_groups_and_lines()
    return site_ensure_home()


@pytest.fixture
def tree(reference_data):
    """A small province: P → C1 → (G1 → G1-D1, G2), C2 → G3."""
    p = UnitFactory(code="P", name="省院", level="province")
    c1 = UnitFactory(code="C1", name="一市院", level="city", parent=p)
    c2 = UnitFactory(code="C2", name="二市院", level="city", parent=p)
    g1 = UnitFactory(code="G1", name="甲区院", level="grassroots", parent=c1)
    g2 = UnitFactory(code="G2", name="乙区院", level="grassroots", parent=c1)
    g3 = UnitFactory(code="G3", name="丙县院", level="grassroots", parent=c2)
    d1 = UnitFactory(code="G1-D1", name="第一检察部", level="department", parent=g1)
    for unit in (p, c1, c2, g1, g2, g3, d1):
        unit.refresh_from_db()
    return {u.code: u for u in (p, c1, c2, g1, g2, g3, d1)}


@pytest.fixture
def learner(tree):
    return StaffFactory(unit=tree["G1-D1"], staff_no="L0001", name="李学员").user


@pytest.fixture
def unit_leader(tree):
    user = StaffFactory(
        unit=tree["G1"], staff_no="UL001", name="甲院长", is_leader=True
    ).user
    role_assign(user=user, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G1"])
    return user


@pytest.fixture
def leadership(tree):
    user = StaffFactory(
        unit=tree["P"], staff_no="LD001", name="省院领导", is_leader=True
    ).user
    role_assign(user=user, role=RoleAssignment.Role.LEADERSHIP)
    return user


@pytest.fixture
def trainer(tree):
    user = StaffFactory(unit=tree["P"], staff_no="TR001", name="培训员").user
    role_assign(user=user, role=RoleAssignment.Role.TRAINER)
    return user


@pytest.fixture
def admin_user(tree):
    user = StaffFactory(unit=tree["P"], staff_no="AD001", name="管理员").user
    user.is_superuser = user.is_staff = True
    user.save()
    return user


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker process on the configured broker, using the test database.

    Only in CI's PostgreSQL/Redis pass (CELERY_BROKER_URL set, non-SQLite database);
    skipped elsewhere. Tests using it must be transactional so the worker sees their data.
    """
    from config.celery import app

    broker = os.environ.get("CELERY_BROKER_URL")
    db = settings.DATABASES["default"]
    if not broker or db["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL (CI's second pass)")
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.test_worker"
    env["TEST_DATABASE_NAME"] = db["NAME"]
    queue = f"test-{os.getpid()}"
    env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=1.0, destination=None) or []
            if replies:
                break
            if proc.poll() is not None:
                pytest.fail("the Celery worker exited at start")
        else:
            pytest.fail("the Celery worker did not start within 60 s")
        yield proc
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None
