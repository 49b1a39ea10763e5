"""An administrator's day in a real browser: a role granted by search, then the new
leader's reports; a roles file previewed and applied; a sample file used as it is."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from organisation.models import ImportAudit, RoleAssignment
from tests.campaigns.factories import make_campaign, make_course
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province(reference_data, tree):
    course = make_course(reference_data, "LAW-101")
    today = timezone.localdate()
    StaffFactory(unit=tree["G1-D1"], staff_no="E0001", name="赵未完")
    StaffFactory(unit=tree["G2"], staff_no="E0002", name="李乙院")
    StaffFactory(unit=tree["G3"], staff_no="E0003", name="孙外院")
    StaffFactory(unit=tree["G1"], staff_no="N0001", name="周新官")
    StaffFactory(unit=tree["G3"], staff_no="N0002", name="周同姓")
    make_campaign(
        [course],
        code="LAW-2026",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=21),
    )
    get_user_model().objects.create_superuser("boss", password="pass12345")
    return tree


def choose(page, button: str, query: str, choice: str) -> None:
    page.get_by_role("button", name=button).click()
    modal = page.locator(".modal-dialog")
    modal.locator("input[name=q]").fill(query)
    link = modal.get_by_role("link", name=choice, exact=True)
    expect(link).to_be_visible()
    link.click()
    expect(modal).to_be_hidden()


def test_an_administrator_grants_a_unit_leader_by_search_and_the_leader_sees_that_subtree(
    page, province
):
    sign_in(page, "boss", "pass12345")
    page.goto(page.base_url + "/admin/snippets/organisation/roleassignment/add/")
    choose(page, "选择人员", "周 一市院", "周新官")
    expect(page.locator("main")).to_contain_text(
        "周新官（N0001）· 省院 › 一市院 › 甲区院"
    )
    page.select_option("select[name=role]", "unit_leader")
    choose(page, "选择单位", "甲区", "省院 › 一市院 › 甲区院")
    screenshot(page, "admin-role-grant-form")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("可查看 甲区院 及其下属 1 个单位")
    screenshot(page, "admin-role-list")
    grant = RoleAssignment.objects.get(user__username="N0001")
    assert grant.role == "unit_leader" and grant.unit.code == "G1"

    page.context.clear_cookies()
    sign_in(page, "N0001", "pass12345")
    page.goto(page.base_url + "/reports/campaigns/LAW-2026/")
    assert page.url.endswith("/reports/campaigns/LAW-2026/units/G1/")
    page.select_option("#show", "all")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "赵未完" in text and "周新官" in text
    assert "李乙院" not in text and "孙外院" not in text
    screenshot(page, "new-leader-report")
    for other in ("G2", "C1", "G3"):
        response = page.goto(
            page.base_url + f"/reports/campaigns/LAW-2026/units/{other}/"
        )
        assert response.status == 404


def test_a_roles_file_is_previewed_then_applied_and_the_sample_imports_as_is(
    page, province, tmp_path
):
    sign_in(page, "boss", "pass12345")
    page.goto(page.base_url + "/admin/imports/")
    section = page.locator("#columns-roles")
    expect(section).to_contain_text("截止日期")
    section.scroll_into_view_if_needed()
    screenshot(page, "import-columns")
    with page.expect_download() as download:
        section.get_by_role("link", name="XLSX").click()
    sample = tmp_path / "roles-sample.xlsx"
    download.value.save_as(sample)

    roles = tmp_path / "角色.csv"
    roles.write_bytes(
        "工号,角色,单位代码,截止日期\nN0002,单位负责人,C2,2030-12-31\n".encode(
            "gb18030"
        )
    )
    page.select_option("select[name=kind]", "roles")
    page.set_input_files("input[name=file]", str(roles))
    page.click("text=上传并预览")
    page.wait_for_selector("text=应用这些更改")
    screenshot(page, "roles-import-preview")
    assert "N0002 · unit_leader · C2" in page.inner_text("main")
    assert not RoleAssignment.objects.exists()
    page.click("text=应用这些更改")
    page.wait_for_selector("text=新增 1 条", timeout=30000)
    grant = RoleAssignment.objects.get(user__username="N0002")
    assert grant.unit.code == "C2" and grant.valid_to == dt.date(2030, 12, 31)

    page.goto(page.base_url + "/admin/imports/")
    page.select_option("select[name=kind]", "roles")
    page.set_input_files("input[name=file]", str(sample))
    page.click("text=上传并预览")
    page.wait_for_selector("text=应用这些更改")
    page.click("text=应用这些更改")
    page.wait_for_selector("text=未变 1 条", timeout=30000)
    assert "名册上的人员都是学员，无需授权" in page.inner_text("main")
    screenshot(page, "roles-sample-applied")
    assert ImportAudit.objects.filter(kind="roles").count() == 2
