"""Question import from the admin: a Celery import job with progress, all or nothing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Question
from organisation.models import ImportJob

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def _upload(client, name: str, **fields):
    data = {"file": SimpleUploadedFile(name, (DATA / name).read_bytes()), **fields}
    return client.post(reverse("assessments_admin:transfer"), data)


def test_a_trainer_imports_gift_as_a_job_and_follows_its_progress(
    client, trainer, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "moodle_sample.gift")
    job = ImportJob.objects.get()
    assert job.kind == "questions" and job.created_by == trainer
    assert job.options == {"format": "gift", "category": ""}
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation_import_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    assert job.summary["created"] == 9 == Question.objects.count()
    assert Question.objects.get(code="CR-G-01").category.path == "指标解读/案-件比"
    status = client.get(response["Location"] + "?format=json").json()
    assert status["finished"] and status["progress"] == 100
    page = client.get(response["Location"]).content.decode()
    assert "新增 9 条" in page
    assert "导入任务" in page  # the header names the page
    # Back to the bank's import page, which a trainer can open (the general
    # data-import page is for administrators only).
    back = reverse("assessments_admin:transfer")
    assert f'href="{back}"' in page and "返回试题导入导出" in page
    assert client.get(back).status_code == 200
    # The bank's page lists the job.
    listing = client.get(reverse("assessments_admin:transfer")).content.decode()
    assert response["Location"] in listing


def test_aiken_goes_into_the_category_given_on_the_form(
    client, trainer, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "aiken_sample.txt", category="指标解读/沿革")
    job = ImportJob.objects.get()
    assert job.status == "done" and job.summary["created"] == 2
    question = Question.objects.get(text__startswith="按最高检")
    assert question.category.path == "指标解读/沿革"


def test_a_malformed_file_is_refused_whole_with_its_lines(
    client, trainer, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "malformed.gift")
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    assert sorted(e["row"] for e in job.errors) == [3, 5, 9, 11]
    assert job.summary == {"error_count": 4}
    assert Question.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "未写入任何数据" in page


def test_a_check_only_csv_import_writes_nothing(
    client, trainer, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "questions.csv", dry_run="1")
    job = ImportJob.objects.get()
    assert job.dry_run and job.status == "done" and job.summary["created"] == 6
    assert Question.objects.count() == 0


def test_an_unknown_format_is_refused_before_any_job(client, trainer, reference_data):
    client.force_login(trainer)
    data = {"file": SimpleUploadedFile("bank.doc", b"x")}
    page = client.post(reverse("assessments_admin:transfer"), data)
    assert page.status_code == 200 and not ImportJob.objects.exists()


def test_only_people_who_may_edit_the_bank_can_import(
    client, trainer, learner, reference_data
):
    # A trainer whose bank rights were withdrawn still sees statistics, not imports.
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="Trainers").permissions.remove(
        *Permission.objects.filter(
            content_type__app_label="assessments", codename="add_question"
        )
    )
    client.force_login(trainer)
    page = client.get(reverse("assessments_admin:transfer"))
    assert page.status_code == 200
    assert 'name="file"' not in page.content.decode()
    # Wagtail answers a refusal in its admin with a redirect and a message.
    assert _upload(client, "moodle_sample.gift").status_code in (302, 403)
    client.force_login(learner)
    assert _upload(client, "moodle_sample.gift").status_code in (302, 403)
    assert not ImportJob.objects.exists() and Question.objects.count() == 0


def test_another_trainer_cannot_follow_my_job(client, trainer, tree, reference_data):
    from organisation.models import RoleAssignment
    from organisation.services import role_assign
    from tests.factories import StaffFactory

    job = ImportJob.objects.create(
        kind="questions", file="imports/x.gift", created_by=trainer
    )
    other = StaffFactory(unit=tree["P"], staff_no="TR002").user
    role_assign(user=other, role=RoleAssignment.Role.TRAINER)
    client.force_login(other)
    assert (
        client.get(reverse("organisation_import_job", args=[job.pk])).status_code == 404
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_question_import(client, trainer, celery_worker):
    import time

    from django.contrib.auth.models import Permission

    # A flushed database has lost the trainers' grants made by migration.
    trainer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments",
            codename__in=["add_question", "change_question", "add_category"],
        )
    )
    client.force_login(trainer)
    _upload(client, "moodle_sample.gift")
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in ("done", "rejected", "failed"):
            break
        time.sleep(0.5)
    assert job.status == "done" and job.progress == 100
    assert Question.objects.count() == 9


def test_the_job_page_lists_what_the_import_warned_about(
    client, trainer, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    gift_file = "$CATEGORY: 甲\n\n::W-1::[html]<p>题目<script>x()</script></p>{T}\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments_admin:transfer"),
            {"file": SimpleUploadedFile("w.gift", gift_file.encode("utf-8"))},
        )
    job = ImportJob.objects.get()
    assert job.status == "done" and job.summary["warnings"][0]["line"] == 3
    page = client.get(response["Location"]).content.decode()
    assert "已导入，但有以下提示" in page and "W-1" in page
    assert "已删除不允许的标记" in page
