"""Hostile names in a real browser: a leader hovers the report's unit chart and the
insights heatmap; no injected markup runs and the tooltips show the
names as written."""

import datetime as dt

import pytest
from django.utils import timezone

from insights.services import snapshot_refresh
from organisation.models import RoleAssignment, Unit
from organisation.services import role_assign
from tests.campaigns.factories import make_campaign, make_course
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory
from tests.insights.helpers import planted_province

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE_UNIT = '<img src=x onerror="window.__xss=1">'
HOSTILE_PERSON = '<svg onload="window.__xss=2">'
HOSTILE_TITLE = "<script>window.__xss=3</script>法治教育"

# Where a series' value sits on the page, so the mouse can go there.
POINT = """([selector, series, value]) => {
  const el = document.querySelector(selector);
  el.scrollIntoView({block: "center"});
  const chart = echarts.getInstanceByDom(el);
  const [x, y] = chart.convertToPixel({seriesIndex: series}, value);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def hover(page, selector: str, series: int, value: list) -> str:
    """Move the mouse onto a point of a chart; return the chart's tooltip text."""
    page.wait_for_selector(f"{selector} canvas")
    x, y = page.evaluate(POINT, [selector, series, value])
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y)
    page.wait_for_timeout(600)
    return page.inner_text(selector)


def assert_inert(page, selector: str) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.locator(f"{selector} img, {selector} svg").count() == 0


@pytest.fixture
def hostile_report(reference_data, tree):
    Unit.objects.filter(pk=tree["C1"].pk).update(name=HOSTILE_UNIT)
    StaffFactory(unit=tree["G1-D1"], staff_no="X0001", name=HOSTILE_PERSON)
    StaffFactory(unit=tree["G3"], staff_no="X0002", name="孙外院")
    today = timezone.localdate()
    campaign = make_campaign(
        [make_course(reference_data, "LAW-101")],
        code="LAW-X",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=21),
    )
    campaign.title = HOSTILE_TITLE
    campaign.save(update_fields=["title"])
    return campaign


def test_the_report_unit_chart_tooltip_shows_a_hostile_unit_name_as_text(
    page, hostile_report, leadership
):
    sign_in(page, "LD001", "pass12345")
    page.goto(page.base_url + "/reports/campaigns/LAW-X/units/P/?show=all")
    assert HOSTILE_TITLE in page.inner_text("h1") + page.inner_text("main")
    assert HOSTILE_PERSON in page.inner_text("table.people-table")
    names = page.evaluate(
        "JSON.parse(document.getElementById('chart-data').textContent)"
        ".units.map(u => u.name)"
    )
    tooltip = hover(page, "#chart-units", 0, [50, names.index(HOSTILE_UNIT)])
    assert HOSTILE_UNIT in tooltip
    assert_inert(page, "#chart-units")
    screenshot(page, "xss-report-tooltip")


@pytest.fixture
def hostile_province(reference_data):
    data = planted_province(reference_data)
    Unit.objects.filter(code="G08").update(name=HOSTILE_UNIT)
    snapshot_refresh("2026Q3")
    leader = StaffFactory(unit=data["province"], staff_no="leader", name="郑政治").user
    role_assign(user=leader, role=RoleAssignment.Role.LEADERSHIP)
    return data


def test_the_insights_heatmap_tooltip_shows_a_hostile_name_as_text(
    page, hostile_province
):
    sign_in(page, "leader", "pass12345")
    page.goto(page.base_url + "/insights/")
    # The heatmap arrives with the lower half of the page, as the reader scrolls.
    page.locator("#insights-more").scroll_into_view_if_needed()
    page.wait_for_selector("#heatmap canvas")
    assert_inert(page, "#insights-more")

    heat = page.evaluate(
        "JSON.parse(document.getElementById('heatmap-data').textContent)"
    )
    row = heat["units"].index(HOSTILE_UNIT)
    cell = next(d for d in heat["data"] if d[1] == row)
    tooltip = hover(page, "#heatmap", 0, [cell[0], cell[1]])
    assert HOSTILE_UNIT in tooltip
    assert_inert(page, "#heatmap")
    screenshot(page, "xss-heatmap-tooltip")
