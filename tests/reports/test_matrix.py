"""The training matrix explains a completion a campaign does not count, by the rule the
completion report applies."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import selectors
from tests.campaigns.factories import complete, make_campaign, make_course
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=30)


@pytest.fixture
def course(reference_data):
    return make_course(reference_data, "LAW-M")


@pytest.fixture
def people(tree, course):
    early = StaffFactory(unit=tree["G1-D1"], staff_no="M1", name="早完成")
    on_time = StaffFactory(unit=tree["G1-D1"], staff_no="M2", name="按时完成")
    old = StaffFactory(unit=tree["G1-D1"], staff_no="M3", name="旧版本")
    complete(early.user, course, START - dt.timedelta(days=40))
    complete(on_time.user, course, START + dt.timedelta(days=3))
    complete(old.user, course, START + dt.timedelta(days=3), superseded=True)
    make_campaign(
        [course], code="LAW-M", starts_on=START, due_on=TODAY - dt.timedelta(days=1)
    )
    return {"early": early, "on_time": on_time, "old": old}


def test_a_completion_before_the_campaign_is_explained_as_the_report_counts_it(
    client, leadership, tree, people, course
):
    from learning.campaigns.models import Campaign

    report = selectors.campaign_report(
        Campaign.objects.get(code="LAW-M"), unit=tree["G1"], as_of=TODAY
    )
    status = {p["staff_no"]: p["status"] for p in selectors.campaign_people(report)}
    assert status == {"M1": "overdue", "M2": "completed", "M3": "overdue"}

    client.force_login(leadership)
    response = client.get(reverse("reports:matrix", args=["G1"]))
    column = [c.code for c in response.context["courses"]].index("LAW-M")
    cells = {
        row["person"].staff_no: row["cells"][column] for row in response.context["grid"]
    }
    assert cells["M2"].counted
    assert not cells["M1"].counted and cells["M1"].reason == "before_start"
    assert not cells["M3"].counted and cells["M3"].reason == "superseded"
    html = response.content.decode()
    assert "早于任务开始，不计入" in html and "旧版本，不计入" in html
    assert "甲区院·第一检察部" in html


def test_the_matrix_pager_speaks_of_pages(client, leadership, tree, people):
    for n in range(55):
        StaffFactory(unit=tree["G2"], staff_no=f"Q{n:03d}")
    client.force_login(leadership)
    html = client.get(reverse("reports:matrix", args=["P"])).content.decode()
    assert "下一页" in html and "下一课时" not in html
