"""An administrator uploads a roster, reads the preview, and applies it."""

import pytest
from django.contrib.auth import get_user_model

from organisation.models import ImportAudit, StaffProfile
from tests.factories import StaffFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_previews_then_applies_a_roster(page, tree, tmp_path):
    get_user_model().objects.create_superuser("boss", password="pass12345")
    StaffFactory(unit=tree["G1"], staff_no="J100", name="赵一", is_leader=True)
    roster = tmp_path / "名册.csv"
    roster.write_bytes(
        "工号,姓名,单位代码,是否领导干部\nJ100,赵一,G2,0\nJ101,钱二,G3,0\n".encode(
            "gb18030"
        )
    )
    sign_in(page, "boss", "pass12345")
    page.goto(page.base_url + "/admin/imports/")
    page.select_option("select[name=kind]", "staff")
    page.set_input_files("input[name=file]", str(roster))
    page.click("text=上传并预览")
    page.wait_for_selector("text=应用这些更改")
    screenshot(page, "import-preview")
    body = page.inner_text("main")
    assert "预览：新增 1 条，修改 1 条，停用 0 人，0 条不变" in body
    assert "单位代码：G1 → G2" in body and "是否领导干部：1 → 0" in body
    assert StaffProfile.objects.get(staff_no="J100").unit.code == "G1"

    page.click("text=应用这些更改")
    page.wait_for_selector("text=新增 1 条", timeout=30000)
    screenshot(page, "import-applied")
    assert StaffProfile.objects.get(staff_no="J100").unit.code == "G2"
    assert ImportAudit.objects.count() == 1
