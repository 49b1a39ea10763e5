"""Uploaded import files: refused over the size cap before anything is stored, kept in
the private storage under a random name, fetched back only by their uploader or an
administrator, deleted after the retention period; a failed or stale job says why."""

import datetime as dt
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.static import serve
from kombu.exceptions import OperationalError

from organisation.jobs import import_jobs_requeue_stale, import_uploads_expire
from organisation.models import ImportJob, RoleAssignment
from organisation.services import role_assign
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ROSTER = "staff_no,name,unit_code,position\nJ100,赵一,G1,检察官\n"


@pytest.fixture(autouse=True)
def own_roots(settings, tmp_path):
    """Fresh public and private roots, so that no other run's files are seen."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")
    return tmp_path


def files_under(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def upload(client, callbacks, body: bytes = ROSTER.encode(), name="名册.csv"):
    with callbacks(execute=True):
        return client.post(
            "/admin/imports/",
            {"kind": "staff", "file": SimpleUploadedFile(name, body)},
        )


@pytest.fixture
def other_admin(tree):
    user = StaffFactory(unit=tree["P"], staff_no="AD002").user
    role_assign(user=user, role=RoleAssignment.Role.ADMINISTRATOR)
    return user


def test_an_upload_is_stored_privately_under_a_random_name(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert re.fullmatch(r"imports/[0-9a-f]{32}\.csv", job.file.name)
    assert job.filename == "名册.csv"
    assert files_under(settings.MEDIA_ROOT) == []
    assert Path(job.file.path).is_relative_to(settings.PRIVATE_STORAGE_ROOT)
    # The address the proxy would have served before: nothing there.
    for relative in (f"imports/{timezone.now():%Y/%m}/名册.csv", job.file.name):
        with pytest.raises(Http404):
            serve(
                RequestFactory().get("/media/" + relative),
                relative,
                document_root=settings.MEDIA_ROOT,
            )


def test_the_uploader_and_an_administrator_fetch_the_file_and_nobody_else(
    client, admin_user, other_admin, trainer, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    upload(client, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    address = f"/admin/imports/{job.pk}/file/"

    for allowed in (admin_user, other_admin):
        client.force_login(allowed)
        response = client.get(address)
        assert response.status_code == 200
        assert "J100" in b"".join(response.streaming_content).decode()
        assert (
            "filename*=utf-8''%E5%90%8D%E5%86%8C.csv"
            in (response["Content-Disposition"])
        )

    client.force_login(trainer)
    assert client.get(address).status_code == 404
    client.logout()
    response = client.get(address)
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_oversize_upload_is_refused_with_the_limit_and_nothing_is_stored(
    client, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    client.force_login(admin_user)
    body = ROSTER.encode() + b"J999,x,G1,y\n" * 200_000  # about 2.4 MB
    response = upload(client, django_capture_on_commit_callbacks, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件超过导入上限 2 MB，未予保存" in page
    assert not ImportJob.objects.exists()
    assert files_under(settings.PRIVATE_STORAGE_ROOT) == []
    assert files_under(settings.MEDIA_ROOT) == []


def test_an_oversize_question_file_is_refused_before_it_is_stored(
    client, admin_user, settings
):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1024
    client.force_login(admin_user)
    response = client.post(
        reverse("assessments_admin:transfer"),
        {"format": "gift", "file": SimpleUploadedFile("q.gift", b"x" * 4096)},
    )
    assert response.status_code == 200
    assert "文件超过导入上限 1 KB" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert files_under(settings.PRIVATE_STORAGE_ROOT) == []


def test_a_failed_import_shows_its_reason_and_no_traceback(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with mock.patch(
        "organisation.tasks.run_import",
        side_effect=RuntimeError("relation organisation_unit does not exist"),
    ):
        response = upload(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(f"/admin/imports/{job.pk}/").content.decode()
    assert f"导入因意外错误中止（任务编号 {job.pk}）" in page
    assert "organisation_unit" not in page and "Traceback" not in page


def test_an_import_whose_file_was_deleted_says_so(
    client, admin_user, django_capture_on_commit_callbacks
):
    from organisation.tasks import import_job_run

    client.force_login(admin_user)
    job = ImportJob.objects.create(kind="staff", created_by=admin_user)
    job.file.save("roster.csv", ContentFile(ROSTER.encode()))
    Path(job.file.path).unlink()
    assert import_job_run(job.pk) == ImportJob.Status.FAILED
    page = client.get(f"/admin/imports/{job.pk}/").content.decode()
    assert "服务器上已不再保存该上传文件" in page


def test_a_broker_that_refuses_the_send_does_not_fail_the_upload(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with mock.patch(
        "organisation.tasks.import_job_run.apply_async",
        side_effect=OperationalError("Error 111 connecting to redis. Refused."),
    ):
        response = upload(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    assert client.get(response["Location"]).status_code == 200


def _queued(user, *, minutes_ago: int, sent: int = 0) -> ImportJob:
    job = ImportJob.objects.create(kind="staff", created_by=user)
    job.file.save("roster.csv", ContentFile(ROSTER.encode()))
    ImportJob.objects.filter(pk=job.pk).update(
        queued_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        requeue_count=sent,
    )
    return job


def test_a_stale_queued_import_is_sent_again_and_runs(admin_user):
    stale = _queued(admin_user, minutes_ago=settings.JOB_STALE_MINUTES + 5)
    recent = _queued(admin_user, minutes_ago=1)
    result = import_jobs_requeue_stale()  # tasks run eagerly here
    assert result == {"requeued": 1, "failed": 0}
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.status == ImportJob.Status.DONE and stale.requeue_count == 1
    assert recent.status == ImportJob.Status.QUEUED and recent.requeue_count == 0


def test_a_stale_import_sent_too_often_is_failed_with_a_reason(client, admin_user):
    job = _queued(admin_user, minutes_ago=60, sent=settings.JOB_REQUEUE_LIMIT)
    with mock.patch("organisation.tasks.import_job_run.apply_async") as send:
        assert import_jobs_requeue_stale() == {"requeued": 0, "failed": 1}
    assert not send.called
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    client.force_login(admin_user)
    page = client.get(f"/admin/imports/{job.pk}/").content.decode()
    assert "导入长时间等待后台服务处理" in page


def test_retention_deletes_old_uploads_and_keeps_new_ones(client, admin_user):
    old = _queued(admin_user, minutes_ago=1)
    new = _queued(admin_user, minutes_ago=1)
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now()
        - dt.timedelta(days=settings.IMPORT_UPLOAD_RETENTION_DAYS + 1)
    )
    old_path, new_path = Path(old.file.path), Path(new.file.path)

    assert import_uploads_expire() == 1

    old.refresh_from_db()
    new.refresh_from_db()
    assert not old_path.exists() and not old.file and old.file_expired_at
    assert new_path.exists() and new.file_expired_at is None
    client.force_login(admin_user)
    assert client.get(f"/admin/imports/{old.pk}/file/").status_code == 404
    page = client.get(f"/admin/imports/{old.pk}/").content.decode()
    assert "保存期满，文件已删除" in page


@pytest.mark.parametrize(
    "address",
    [lambda: "/admin/imports/", lambda: reverse("assessments_admin:transfer")],
)
def test_an_import_upload_past_the_cap_is_not_spooled(settings, address):
    from config.uploads import ImportSizeCapHandler

    settings.IMPORT_UPLOAD_MAX_BYTES = 1000
    handler = ImportSizeCapHandler(RequestFactory().post(address()))
    handler.new_file("file", "名册.csv", "text/csv", None)
    passed_on = [handler.receive_data_chunk(b"x" * 600, start) for start in (0, 600)]
    passed_on += [handler.receive_data_chunk(b"x" * 600, 1200)]
    # Only what fits under the cap reaches the handlers that write.
    assert passed_on == [b"x" * 600, None, None]
    stand_in = handler.file_complete(1800)
    assert stand_in.size == 1800 and stand_in.read() == b""


def test_other_uploads_are_not_capped(settings):
    from config.uploads import ImportSizeCapHandler

    settings.IMPORT_UPLOAD_MAX_BYTES = 1000
    handler = ImportSizeCapHandler(
        RequestFactory().post("/admin/documents/multiple/add/")
    )
    handler.new_file("file", "讲义.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 1600, 0) == b"x" * 1600
    assert handler.file_complete(1600) is None


def test_a_private_root_inside_media_root_fails_the_system_check(settings, tmp_path):
    from config.checks import private_storage_check

    assert private_storage_check(None) == []
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "media" / "private")
    assert [e.id for e in private_storage_check(None)] == ["platform.E020"]


def test_the_recent_imports_list_gives_the_reason_of_a_failure(client, admin_user):
    ImportJob.objects.create(
        kind="staff",
        created_by=admin_user,
        status=ImportJob.Status.FAILED,
        failure="服务器上已不再保存该上传文件，未写入任何数据。请重新上传。",
    )
    client.force_login(admin_user)
    page = client.get("/admin/imports/").content.decode()
    assert "服务器上已不再保存该上传文件" in page
