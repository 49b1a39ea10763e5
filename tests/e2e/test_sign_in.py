import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_signs_in_with_staff_number_and_sees_chinese_home(page, tree):
    from cms.models import HomePage

    assert HomePage.objects.exists()
    user = StaffFactory(unit=tree["G1"], staff_no="J12345", name="王测试").user
    user.set_password("demo12345")
    user.save()

    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "检察教育培训平台" in page.title()

    sign_in(page, "J12345", "demo12345")
    assert "王测试" in page.locator(".site-header").inner_text(), page.content()[:3000]
    screenshot(page, "home-signed-in")


def test_wrong_password_shows_a_chinese_error(page, tree):
    StaffFactory(unit=tree["G1"], staff_no="J22222")
    sign_in(page, "J22222", "wrong-password")
    assert "工号或密码不正确" in page.locator("[role=alert]").inner_text()
