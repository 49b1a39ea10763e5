"""Report files in a real browser: a unit leader builds and downloads an Excel file,
sees it expire, and generates it again; the file has no address of its own."""

import datetime as dt

import pytest
from django.utils import timezone

from reports import services
from reports.models import ReportExport
from tests.campaigns.factories import make_campaign, make_course
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def own_roots(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")


@pytest.fixture
def law(reference_data, tree):
    course = make_course(reference_data, "LAW-101")
    today = timezone.localdate()
    StaffFactory(unit=tree["G1-D1"], staff_no="E0001", name="赵未完")
    return make_campaign(
        [course],
        code="LAW-2026",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=21),
    )


def test_a_leader_downloads_a_file_then_sees_it_expire(page, law, unit_leader):
    sign_in(page, "UL001", "pass12345")
    page.goto(page.base_url + "/reports/campaigns/LAW-2026/units/G1/")
    page.click("button[name=format][value=xlsx]")
    page.wait_for_selector("text=下载")
    with page.expect_download() as info:
        page.click("a.button >> text=下载")
    download = info.value
    assert download.suggested_filename.startswith("LAW-2026-")
    assert download.suggested_filename.endswith(".xlsx")

    export = ReportExport.objects.get()
    # The stored name serves nothing, signed in or not.
    assert page.goto(page.base_url + "/media/" + export.file.name).status == 404

    ReportExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    assert services.exports_expire() == 1
    page.goto(page.base_url + f"/reports/exports/{export.pk}/")
    assert "已过期，请重新生成" in page.inner_text("main")
    screenshot(page, "reports-export-expired")
    page.click("button >> text=重新生成")
    page.wait_for_selector("a.button >> text=下载")
    assert ReportExport.objects.count() == 2


def test_an_administrator_sees_the_size_limit_and_a_failure_reason(
    page, admin_user, settings, tmp_path
):
    from organisation.models import ImportJob

    settings.IMPORT_UPLOAD_MAX_BYTES = 1024
    big = tmp_path / "名册.csv"
    big.write_text("staff_no,name,unit_code\n" + "J1,某人,G1\n" * 400, "utf-8")
    sign_in(page, "AD001", "pass12345")
    page.goto(page.base_url + "/admin/imports/")
    page.set_input_files("input[name=file]", str(big))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()
    assert "文件超过导入上限 1 KB，未予保存" in page.inner_text("main")
    assert not ImportJob.objects.exists()
    screenshot(page, "admin-import-too-large")

    job = ImportJob.objects.create(
        kind="staff",
        created_by=admin_user,
        filename="名册.csv",
        status=ImportJob.Status.FAILED,
        failure="导入长时间等待后台服务处理，未能执行，未写入任何数据。",
        finished_at=timezone.now(),
    )
    page.goto(page.base_url + f"/admin/imports/{job.pk}/")
    assert "导入长时间等待后台服务处理" in page.inner_text("main")
    screenshot(page, "admin-import-failed-reason")
