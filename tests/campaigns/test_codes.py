"""Campaign codes are slug-like: a '/' once broke /reports/ for everyone."""

import datetime as dt
import importlib

import pytest
from django.urls import reverse

from learning.campaigns.models import Campaign
from learning.campaigns.services import CampaignError, campaign_create

from .factories import make_course
from .test_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(reference_data):
    return make_course(reference_data, "LAW-1")


@pytest.mark.parametrize("code", ["A/B", "A B", "A\x00B", "../x"])
def test_the_form_refuses_a_code_that_is_not_slug_like(
    client, leadership, course, code
):
    client.force_login(leadership)
    response = client.post(reverse("campaigns:create"), form_data(course, code=code))
    assert response.status_code in (200, 400)
    assert not Campaign.objects.exists()
    if response.status_code == 200:
        assert "代码只能由字母、数字" in response.content.decode()


def test_the_service_refuses_a_slash_and_reports_still_render(
    client, leadership, course
):
    with pytest.raises(CampaignError):
        campaign_create(
            code="2026/LAW",
            title="有斜杠",
            courses=[course],
            starts_on=dt.date(2026, 1, 1),
            due_on=dt.date(2026, 12, 31),
        )
    assert not Campaign.objects.exists()
    client.force_login(leadership)
    client.post(reverse("campaigns:create"), form_data(course, code="2026.LAW_1"))
    assert Campaign.objects.filter(code="2026.LAW_1").exists()
    assert client.get("/reports/").status_code == 200


def test_existing_codes_with_a_slash_are_repaired_and_reports_render_again(
    client, leadership, course
):
    from django.apps import apps

    from .factories import make_campaign

    dates = {"starts_on": dt.date(2026, 1, 1), "due_on": dt.date(2026, 12, 31)}
    broken = make_campaign([course], code="OLD", **dates)
    # Stored before the rule existed.
    Campaign.objects.filter(pk=broken.pk).update(code="2026/LAW")
    make_campaign([course], code="2026-LAW", **dates)
    migration = importlib.import_module(
        "learning.campaigns.migrations.0003_repair_campaign_codes"
    )
    migration.repair(apps, None)
    broken.refresh_from_db()
    assert broken.code == "2026-LAW-2"
    client.force_login(leadership)
    assert client.get("/reports/").status_code == 200
