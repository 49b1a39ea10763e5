import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organisation.models import ImportJob, StaffProfile, Unit

pytestmark = pytest.mark.django_db

ROSTER = "staff_no,name,unit_code,position\nJ100,赵一,G1,检察官\nJ101,钱二,G2,书记员\n"


def upload(
    client, text: str, kind: str = "staff", dry_run: bool = False, encoding="gb18030"
):
    data = {"kind": kind, "file": SimpleUploadedFile("名册.csv", text.encode(encoding))}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/admin/imports/", data)


def test_an_administrator_imports_the_roster_from_the_admin(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ROSTER)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/admin/imports/{job.pk}/"
    )
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    assert job.summary["created"] == 2
    assert StaffProfile.objects.filter(staff_no__in=["J100", "J101"]).count() == 2
    status = client.get(f"/admin/imports/{job.pk}/?format=json").json()
    assert status["finished"] and status["progress"] == 100
    page = client.get(f"/admin/imports/{job.pk}/").content.decode()
    assert "新增 2 条" in page


def test_a_refused_file_lists_its_errors_and_writes_nothing(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, ROSTER + "J102,孙三,JY-099,检察官\n")
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    assert job.errors == [
        {"row": 4, "column": "unit_code", "message": '未知单位 "JY-099"'}
    ]
    assert not StaffProfile.objects.filter(staff_no__startswith="J10").exists()
    page = client.get(f"/admin/imports/{job.pk}/").content.decode()
    assert (
        "JY-099" in page
        and "未写入任何数据" not in page
        or "Nothing was written" not in page
    )


def test_a_dry_run_from_the_admin_writes_nothing(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            "code,name,parent_code,level\nX1,新院,P,city\n",
            kind="units",
            dry_run=True,
        )
    job = ImportJob.objects.get()
    assert job.status == "done" and job.summary["created"] == 1
    assert not Unit.objects.filter(code="X1").exists()


def test_the_import_page_is_for_administrators_only(client, trainer, unit_leader):
    assert (
        client.get("/admin/imports/").status_code == 302
    )  # anonymous: to the sign-in page
    client.force_login(trainer)
    assert client.get("/admin/imports/").status_code in (302, 403)
    client.force_login(unit_leader)
    assert client.get("/admin/imports/").status_code in (302, 403)


def test_people_cannot_see_other_peoples_import_jobs(client, admin_user, tree):
    from tests.factories import StaffFactory

    other = StaffFactory(unit=tree["P"], staff_no="AD2").user
    other.is_superuser = True
    other.save()
    job = ImportJob.objects.create(kind="staff", file="imports/x.csv", created_by=other)
    client.force_login(admin_user)
    assert client.get(f"/admin/imports/{job.pk}/").status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_an_admin_import(client, admin_user, celery_worker):
    import time

    client.force_login(admin_user)
    upload(client, ROSTER)
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in ("done", "rejected", "failed"):
            break
        time.sleep(0.5)
    assert job.status == "done"
    assert StaffProfile.objects.filter(staff_no__in=["J100", "J101"]).count() == 2
