"""A learner finds a course by a Chinese term, completes it and proves it."""

from pathlib import Path

import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def courses(reference_data):
    from learning.authoring import course_catalogue_ensure
    from learning.content import COURSES
    from learning.demo import build_course
    from organisation.services import indicators_load_shipped

    indicators_load_shipped()
    index = course_catalogue_ensure(home=reference_data)
    wanted = {"IND-101", "IND-102"}
    return {
        spec["code"]: build_course(index=index, spec=spec)
        for spec in COURSES
        if spec["code"] in wanted
    }


def test_staff_searches_completes_ind_102_and_verifies_the_certificate(
    page, tree, courses, tmp_path
):
    user = StaffFactory(
        unit=tree["G1-D1"], staff_no="A00005", name="李小检", user__username="staff"
    ).user
    user.set_password("demo12345")
    user.save()

    sign_in(page, "staff", "demo12345")
    page.fill("#site-search", "案件比")
    page.press("#site-search", "Enter")
    page.wait_for_load_state()
    assert "搜索课程和小节" in page.content()
    page.click(".search-hit h2 a:has-text('IND-102')")
    page.wait_for_load_state()
    assert "“案-件比”的计算与应用" in page.locator("h1").inner_text()

    page.click("text=开始学习")
    for _lesson in range(3):
        page.wait_for_load_state()
        page.click("[data-testid=mark-done]")
        page.wait_for_load_state()
    # After the last lesson the learner is back on the course page.
    assert "您已于" in page.content(), page.content()[:2000]
    screenshot(page, "course-complete")

    with page.expect_download() as download_info:
        page.click("text=下载结业证书")
    target = Path(tmp_path) / "certificate.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")

    code = page.locator(".progress-card a[href*='/certificates/verify/']").inner_text()
    page.goto(page.base_url + f"/certificates/verify/{code}/")
    text = page.locator("main").inner_text()
    assert "证书真实有效" in text
    assert "李小检" in text and "IND-102" in text
    screenshot(page, "certificate-verified")
