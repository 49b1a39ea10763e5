"""The completion report in a real browser: leadership drills down to a person not
done; a unit leader sees their own unit only."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.campaigns.factories import complete, make_campaign, make_course
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def law(reference_data, tree):
    course = make_course(reference_data, "LAW-101")
    today = timezone.localdate()
    StaffFactory(unit=tree["G1-D1"], staff_no="E0001", name="赵未完")
    done = StaffFactory(unit=tree["G1-D1"], staff_no="E0002", name="钱已完")
    StaffFactory(unit=tree["G3"], staff_no="E0003", name="孙外院")
    complete(done.user, course, today - dt.timedelta(days=2))
    return make_campaign(
        [course],
        code="LAW-2026",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=21),
    )


def test_leadership_drills_down_to_a_person_not_done(page, law, leadership):
    sign_in(page, "LD001", "pass12345")
    page.goto(page.base_url + "/reports/")
    page.click("text=法治教育")
    page.wait_for_load_state()
    assert "省院" in page.inner_text("h1")
    page.click("table.unit-table >> text=一市院")
    page.click("table.unit-table >> text=甲区院")
    page.wait_for_load_state()
    people = page.inner_text("table.people-table")
    assert "赵未完" in people and "钱已完" not in people
    assert page.locator("#chart-units canvas").count() == 1
    screenshot(page, "reports-drill-down")


def test_a_unit_leader_sees_only_their_unit(page, law, unit_leader):
    sign_in(page, "UL001", "pass12345")
    page.goto(page.base_url + "/reports/campaigns/LAW-2026/")
    assert page.url.endswith("/reports/campaigns/LAW-2026/units/G1/")
    page.select_option("#show", "all")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "赵未完" in text and "孙外院" not in text
    response = page.goto(page.base_url + "/reports/campaigns/LAW-2026/units/G3/")
    assert response.status == 404
