"""``kill -9`` of a Celery worker in the middle of a task: once a new worker has started,
the work is done exactly once (late acknowledgement, the message back after the
visibility timeout, tasks that leave finished work alone).

Each test starts a worker that stops dead after a chosen SQL statement of the task
(tests/faults/worker_pause.py), kills its whole process group, starts a second worker
and checks the result rows.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.faults.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _statement(model, verb: str) -> str:
    table = re.escape(model._meta.db_table)
    if verb == "finish":
        # The gated finish of an attempt: one statement on PostgreSQL.
        return rf"^WITH gate AS \(UPDATE {table} SET seq = seq \+ 1, status"
    if verb == "update":
        return rf'^UPDATE "{table}" SET "status"'
    return rf'^INSERT INTO "{table}"'


def _kill_and_resume(fault_workers, pause_sql: str, pause_after: int, send):
    first = fault_workers.start(pause_sql=pause_sql, pause_after=pause_after)
    send()
    fault_workers.wait_paused(first)
    first.kill()
    assert not first.alive()
    fault_workers.start()


def test_closing_overdue_attempts_finishes_each_attempt_once(
    fault_workers, reference_data, tree
):
    from assessments.models import Attempt, Quiz, Response
    from assessments.services import attempt_save, attempt_start
    from assessments.tasks import close_overdue_attempts
    from tests.assessments.factories import make_question, make_quiz
    from tests.factories import StaffFactory

    questions = [
        make_question(f"K-{n}", type="true_false", correct_bool=True) for n in range(3)
    ]
    quiz = make_quiz(
        "fault-kill-close",
        questions,
        time_limit_minutes=5,
        overdue_policy=Quiz.OverduePolicy.AUTOSUBMIT,
    )
    attempts = []
    for n in range(5):
        user = StaffFactory(unit=tree["G1-D1"], staff_no=f"KW{n:03}").user
        attempt = attempt_start(user=user, quiz=quiz)
        attempt_save(
            attempt_id=attempt.pk,
            user=user,
            seq=0,
            answers={1: {"value": True}, 2: {"value": n % 2 == 0}, 3: {"value": True}},
        )
        attempts.append(attempt.pk)
    Attempt.objects.filter(pk__in=attempts).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    # Stop right after the statement that finishes the third attempt (committed: the
    # finish is one statement) and kill the worker before it goes on to the others.
    _kill_and_resume(
        fault_workers,
        _statement(Attempt, "finish"),
        3,
        lambda: close_overdue_attempts.delay(),
    )

    def all_closed():
        return not Attempt.objects.filter(
            pk__in=attempts, status=Attempt.Status.IN_PROGRESS
        ).exists()

    wait_for(all_closed, 60, "the second worker to close the attempts")

    for attempt in Attempt.objects.filter(pk__in=attempts).order_by("pk"):
        assert attempt.status == Attempt.Status.FINISHED
        assert attempt.ending == Attempt.Ending.AUTO
        # One state change: 1 after the save, +1 for finishing.
        assert attempt.seq == 2
        assert attempt.score is not None
    scores = list(
        Attempt.objects.filter(pk__in=attempts)
        .order_by("pk")
        .values_list("score", flat=True)
    )
    assert [float(s) for s in scores] == [3, 2, 3, 2, 3]
    graded = Response.objects.filter(item__attempt_id__in=attempts)
    assert graded.count() == 15
    assert not graded.filter(fraction__isnull=True).exists()


def test_a_report_export_killed_midway_is_built_once(
    fault_workers, reference_data, tree, leadership
):
    from reports.models import ReportExport
    from reports.services import export_request
    from tests.campaigns.factories import complete, make_campaign, make_course
    from tests.factories import StaffFactory

    course = make_course(reference_data, "KILL-1")
    today = timezone.localdate()
    campaign = make_campaign(
        [course],
        code="KILL-T",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=10),
    )
    for n in range(12):
        person = StaffFactory(unit=tree["G1-D1"], staff_no=f"KE{n:03}")
        if n % 3 == 0:
            complete(person.user, course, today - dt.timedelta(days=1))

    files_before = _report_files()

    def send():
        # export_request queues the task once its transaction commits.
        send.export = export_request(
            user=leadership,
            campaign=campaign,
            unit=tree["P"],
            as_of=today,
            fmt="csv",
            show="all",
        )

    # Stop right after the task marked the export as running.
    _kill_and_resume(fault_workers, _statement(ReportExport, "update"), 1, send)
    export = send.export

    def finished():
        export.refresh_from_db()
        return export.status in (ReportExport.Status.DONE, ReportExport.Status.FAILED)

    wait_for(finished, 60, "the second worker to build the export")
    assert export.status == ReportExport.Status.DONE, export.error
    assert ReportExport.objects.count() == 1
    with export.file.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").strip().splitlines()
    assert export.rows >= 12
    assert len(lines) == export.rows + 1  # the header, one line per person
    # One new file: the killed run had not written any.
    assert _report_files() - files_before == {Path(export.file.path)}


def _report_files() -> set[Path]:
    from django.conf import settings

    # Report files live in the private storage under random names.
    root = Path(settings.PRIVATE_STORAGE_ROOT, "exports")
    return {path for path in root.rglob("*") if path.is_file()}


def test_an_import_killed_midway_is_applied_once(fault_workers, reference_data, tree):
    from organisation.models import ImportJob, Unit
    from organisation.tasks import import_job_run

    rows = "\n".join(f"KU{n:02},被杀测试{n}院,C1,grassroots," for n in range(8))
    job = ImportJob.objects.create(kind="units")
    job.file.save(
        "units-kill.csv",
        ContentFile(f"code,name,parent_code,level,business_line\n{rows}\n".encode()),
    )
    # Stop inside the import's transaction, once the new units are written (they go
    # in as one batch per tree level).
    _kill_and_resume(
        fault_workers,
        _statement(Unit, "insert"),
        1,
        lambda: import_job_run.delay(job.pk),
    )

    def finished():
        job.refresh_from_db()
        return job.status in (
            ImportJob.Status.DONE,
            ImportJob.Status.REJECTED,
            ImportJob.Status.FAILED,
        )

    wait_for(finished, 60, "the second worker to run the import")
    assert job.status == ImportJob.Status.DONE, job.errors
    # The killed run's writes were rolled back; the second run created every unit.
    assert job.summary["created"] == 8, job.summary
    assert ImportJob.objects.count() == 1
    units = Unit.objects.filter(code__startswith="KU")
    assert units.count() == 8
    assert {u.parent.code for u in units.select_related("parent")} == {"C1"}
