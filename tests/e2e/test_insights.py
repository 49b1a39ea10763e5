"""Browser: leadership sees the heatmap and the training needs; a unit leader only their
unit; the notes are open at the top and no unit's position is shown."""

import pytest

from insights.services import snapshot_refresh
from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory
from tests.insights.helpers import planted_province

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province(reference_data):
    data = planted_province(reference_data)
    snapshot_refresh("2026Q2")
    snapshot_refresh("2026Q3")
    leader = StaffFactory(unit=data["province"], staff_no="leader", name="郑政治").user
    role_assign(user=leader, role=RoleAssignment.Role.LEADERSHIP)
    unitlead = StaffFactory(
        unit=data["units"]["G07"], staff_no="unitlead", name="陈检察长"
    ).user
    role_assign(
        user=unitlead, role=RoleAssignment.Role.UNIT_LEADER, unit=data["units"]["G07"]
    )
    return data


def test_leadership_sees_the_heatmap_and_the_training_needs(page, province):
    sign_in(page, "leader", "pass12345")
    page.goto(page.base_url + "/insights/")
    # The first view is the needs table; the heatmap and the rest load on the way down.
    assert page.locator("#heatmap").count() == 0
    page.locator("#insights-more").scroll_into_view_if_needed()
    page.wait_for_selector("#heatmap canvas")
    assert page.locator(".insights-notes").is_visible()
    assert "仅供内部自查" in page.locator(".insights-notes").inner_text()
    first_gap = page.locator("table.gap-table tbody tr").first
    assert "第8基层院" in first_gap.inner_text()
    assert "IND-102" in first_gap.inner_text()
    assert "高于同级平均" in first_gap.inner_text()
    assert first_gap.locator(".gaming-caution").is_visible()
    body = page.locator("main").inner_text()
    for word in ("位次", "排名", "排序", "上游", "下游", "短板"):
        assert word not in body
    screenshot(page, "insights-leader")
    first_gap.locator("a").first.click()
    page.wait_for_selector("#needs-title")
    assert "第8基层院" in page.locator("h1").inner_text()
    assert page.locator(".insights-notes").is_visible()


def test_a_unit_leader_sees_only_their_unit(page, province):
    sign_in(page, "unitlead", "pass12345")
    page.goto(page.base_url + "/insights/")
    page.locator("#insights-more").scroll_into_view_if_needed()
    page.wait_for_selector("#heatmap canvas")
    body = page.locator("main").inner_text()
    assert "第7基层院" in body
    for other in ("第8基层院", "第1基层院", "一市院"):
        assert other not in body
    assert page.locator("button", has_text="培训任务").count() == 0
    assert page.locator(".insights-notes").is_visible()
    screenshot(page, "insights-unitlead")
    response = page.goto(page.base_url + "/insights/units/G08/")
    assert response.status == 404
