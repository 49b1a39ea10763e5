import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organisation.models import ImportJob, StaffProfile, Unit

pytestmark = pytest.mark.django_db

ROSTER = "staff_no,name,unit_code,position\nJ100,赵一,G1,检察官\nJ101,钱二,G2,书记员\n"


def upload(client, text: str, kind: str = "staff", encoding="gb18030", **extra):
    data = {"kind": kind, "file": SimpleUploadedFile("名册.csv", text.encode(encoding))}
    return client.post("/admin/imports/", data | extra)


def apply(client, preview, **extra):
    return client.post(f"/admin/imports/{preview.pk}/apply/", extra)


def test_an_administrator_imports_the_roster_from_the_admin(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, ROSTER)
    preview = ImportJob.objects.get()
    assert preview.dry_run
    assert not StaffProfile.objects.filter(staff_no="J100").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(client, preview)
    job = ImportJob.objects.exclude(pk=preview.pk).get()
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


def test_an_upload_from_the_admin_is_previewed_and_writes_nothing(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "code,name,parent_code,level\nX1,新院,P,city\n", kind="units")
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

    def wait(job):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in ("done", "rejected", "failed"):
                break
            time.sleep(0.5)
        return job

    upload(client, ROSTER)
    preview = wait(ImportJob.objects.get())
    assert preview.status == "done"
    assert not StaffProfile.objects.filter(staff_no="J100").exists()
    apply(client, preview)
    job = wait(ImportJob.objects.exclude(pk=preview.pk).get())
    assert job.status == "done"
    assert StaffProfile.objects.filter(staff_no__in=["J100", "J101"]).count() == 2


def test_the_preview_lists_each_change_and_applying_does_exactly_that(
    client, admin_user, tree, django_capture_on_commit_callbacks
):
    from organisation.models import ImportAudit

    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, ROSTER)
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, ImportJob.objects.get())
    change = "工号,姓名,单位代码,是否领导干部\nJ100,赵一,G2,1\nJ102,孙三,G3,0\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, change)
    preview = ImportJob.objects.filter(dry_run=True).order_by("-pk").first()
    page = client.get(f"/admin/imports/{preview.pk}/").content.decode()
    assert "G1 → G2" in page and "应用这些更改" in page
    planned = preview.summary["changes"]
    assert StaffProfile.objects.get(staff_no="J100").unit.code == "G1"

    with django_capture_on_commit_callbacks(execute=True):
        apply(client, preview)
    person = StaffProfile.objects.get(staff_no="J100")
    assert (person.unit.code, person.is_leader) == ("G2", True)
    record = ImportAudit.objects.order_by("-pk").first()
    assert record.changes == planned
    assert record.user == admin_user and record.via == "admin"
    assert record.file_name.endswith(".csv") and len(record.sha256) == 64
    assert ImportAudit.objects.count() == 2

    listing = client.get("/admin/imports/records/").content.decode()
    assert record.file_name in listing
    detail = client.get(f"/admin/imports/records/{record.pk}/").content.decode()
    assert record.sha256 in detail and "G1 → G2" in detail


def test_large_changes_need_a_second_confirmation_in_the_admin(
    client, admin_user, tree, django_capture_on_commit_callbacks
):
    rows = "".join(f"K{i:03},人员{i},G1\n" for i in range(10))
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "工号,姓名,单位代码\n" + rows)
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, ImportJob.objects.get())
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "工号,姓名,单位代码\nK000,人员0,G1\n", deactivate_missing="on")
    preview = ImportJob.objects.filter(dry_run=True).order_by("-pk").first()
    active = StaffProfile.objects.filter(active=True).count()
    assert preview.summary["deactivated"] == active - 1
    assert preview.summary["needs_confirmation"]
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, preview)
    assert StaffProfile.objects.filter(active=True).count() == active
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, preview, confirm_large="1")
    assert list(
        StaffProfile.objects.filter(active=True).values_list("staff_no", flat=True)
    ) == ["K000"]


def test_import_records_are_for_administrators_only(client, trainer, unit_leader):
    for user in (trainer, unit_leader):
        client.force_login(user)
        assert client.get("/admin/imports/records/").status_code in (302, 403)


def _slow_importer(steps: int, during=None):
    from organisation.tabular import ImportSummary

    def run(*, table, dry_run=False, progress=None, **options):
        for step in range(1, steps + 1):
            progress(step, steps)
            if during:
                during(step)
        return ImportSummary(created=len(table.rows))

    return run


@pytest.fixture
def slow_kind():
    from organisation.importing import REGISTRY, register

    yield lambda fn: register("slow", "slow", fn)
    REGISTRY.pop("slow", None)


def test_the_status_page_sees_progress_while_the_import_runs(
    client, admin_user, slow_kind, django_capture_on_commit_callbacks
):
    seen = []

    def poll(step):
        job = ImportJob.objects.get()
        seen.append(client.get(f"/admin/imports/{job.pk}/?format=json").json())

    slow_kind(_slow_importer(4, during=poll))
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, ROSTER, kind="slow")
    # Writing fills the bar after the share of checking the file (40%).
    assert [s["progress"] for s in seen] == [55, 70, 85, 99]
    assert all(s["status"] == "running" and not s["finished"] for s in seen)


def test_the_status_page_sees_progress_while_the_file_is_checked(
    client, admin_user, slow_kind, django_capture_on_commit_callbacks
):
    """The bar moves while a large file is checked, before anything is written."""
    from django.core.cache import cache

    from organisation.columns import CellType, Column, Schema
    from organisation.tabular import ImportSummary

    cache.clear()  # no bar left by an earlier test's job of the same number
    seen = []

    class Polled(CellType):
        def clean(self, text, lookups):
            if int(text) % 2000 == 1:
                job = ImportJob.objects.get()
                status = client.get(f"/admin/imports/{job.pk}/?format=json").json()
                seen.append((status["progress"], status["finished"]))
            return text

    schema = Schema(Column("n", Polled(), "序号", required=True))

    def run(*, table, dry_run=False, progress=None, **options):
        parsed = schema.parse(table)
        parsed.raise_errors()
        progress(len(parsed.rows), len(parsed.rows))
        return ImportSummary(created=len(parsed.rows))

    slow_kind(run)
    client.force_login(admin_user)
    rows = "".join(f"{n}\n" for n in range(10000))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "n\n" + rows, kind="slow")
    # Every 2,000 rows checked move the bar within the checking share (0–40%).
    assert seen == [(0, False), (8, False), (16, False), (24, False), (32, False)]
    job = ImportJob.objects.get()
    assert job.status == "done" and job.progress == 100


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_page_polling_a_real_worker_sees_the_bar_move(
    client, admin_user, tree, celery_worker
):
    """A large roster, applied by a real worker: the bar moves before the end.

    The import runs in one transaction; progress written inside it stayed at 0 for
    every other connection until it jumped to 100.
    """
    import time

    from django.core.files.base import ContentFile

    from organisation.tasks import import_job_run

    rows = "".join(f"W{i:06},人员{i},G{1 + i % 3}\n" for i in range(30000))
    job = ImportJob.objects.create(
        kind="staff",
        file=ContentFile(("工号,姓名,单位代码\n" + rows).encode(), name="big.csv"),
        created_by=admin_user,
    )
    client.force_login(admin_user)
    import_job_run.delay(job.pk)
    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"/admin/imports/{job.pk}/?format=json").json()
        seen.append(status["progress"])
        if status["finished"]:
            break
        time.sleep(0.05)
    assert any(0 < p < 100 for p in seen), seen
    assert seen[-1] == 100
