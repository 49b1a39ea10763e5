"""Campaign management pages: leadership and administrators only."""

import pytest
from django.urls import reverse

from learning.campaigns.models import Campaign, Exemption
from tests.factories import StaffFactory

from .factories import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(reference_data):
    return make_course(reference_data, "LAW-1")


def form_data(course, **extra):
    data = {
        "code": "NEW-1",
        "title": "新任务",
        "courses": [course.pk],
        "units": "C1",
        "positions": "检察官；检察官助理",
        "starts_on": "2026-01-01",
        "due_on": "2026-12-31",
        "recurrence": "none",
        "active": "on",
    }
    data.update(extra)
    return data


def test_leadership_creates_a_campaign(client, leadership, course):
    client.force_login(leadership)
    response = client.post(reverse("campaigns:create"), form_data(course))
    assert response.status_code == 302
    campaign = Campaign.objects.get(code="NEW-1")
    assert list(campaign.units.values_list("code", flat=True)) == ["C1"]
    assert campaign.positions == ["检察官", "检察官助理"]
    assert campaign.created_by == leadership


def test_bad_input_is_refused_with_a_chinese_message(client, leadership, course):
    client.force_login(leadership)
    response = client.post(
        reverse("campaigns:create"),
        form_data(course, units="NOPE", due_on="2025-01-01"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "单位编码不存在：NOPE" in html
    assert "截止日期早于开始日期" in html
    assert not Campaign.objects.exists()


def test_leadership_edits_and_records_an_exemption(client, leadership, course, tree):
    client.force_login(leadership)
    client.post(reverse("campaigns:create"), form_data(course))
    response = client.post(
        reverse("campaigns:edit", args=["NEW-1"]),
        form_data(course, title="改过的名称", units=""),
    )
    assert response.status_code == 302
    assert Campaign.objects.get(code="NEW-1").title == "改过的名称"

    person = StaffFactory(unit=tree["G1"], staff_no="EX1")
    response = client.post(
        reverse("campaigns:exemptions", args=["NEW-1"]),
        {"staff_no": "EX1", "reason": "长期病假", "approver": "政治部"},
    )
    assert response.status_code == 302
    assert Exemption.objects.get().staff == person


@pytest.mark.parametrize("name", ["campaigns:list", "campaigns:create"])
def test_unit_leaders_and_learners_cannot_manage(client, unit_leader, learner, name):
    for user in (unit_leader, learner):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("campaigns:list"))
    assert response.status_code == 302
