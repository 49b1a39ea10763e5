"""Campaigns, the completion report, completions, certificates and 学时 via the API."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from learning.models import CourseCompletion
from learning.services import certificate_issue
from organisation.models import ImportAudit

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "leadership", "unit_leader", "learner"]


def command_report(*args) -> dict:
    out = io.StringIO()
    call_command("completion_report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_report_equals_completion_report(api_as, leadership, campaign):
    as_of = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = api_as(leadership).get(
        "/api/v1/campaigns/LAW-T/report/", {"as_of": as_of}
    )
    assert response.status_code == 200
    expected = command_report("--campaign", "LAW-T", "--as-of", as_of)
    assert response.json() == expected
    assert expected["summary"]["completed"] == 1  # the later completion is excluded


def test_the_report_of_a_unit_equals_the_command_for_that_unit(
    api_as, unit_leader, campaign
):
    response = api_as(unit_leader).get(
        "/api/v1/campaigns/LAW-T/report/", {"unit": "G1"}
    )
    assert response.json() == command_report("--campaign", "LAW-T", "--unit", "G1")


def test_a_unit_leader_report_covers_their_subtree_only(api_as, unit_leader, campaign):
    client = api_as(unit_leader)
    report = client.get("/api/v1/campaigns/LAW-T/report/").json()
    assert {u["unit_code"] for u in report["units"]} == {"G1", "G1-D1"}
    assert {p["unit_code"] for p in report["people"]} <= {"G1", "G1-D1"}
    assert "S-G3" not in {p["staff_no"] for p in report["people"]}
    assert (
        client.get("/api/v1/campaigns/LAW-T/report/", {"unit": "G3"}).status_code == 404
    )


def test_a_learner_cannot_read_reports(api_as, learner, campaign):
    client = api_as(learner)
    assert client.get("/api/v1/campaigns/LAW-T/report/").status_code == 403
    assert client.get("/api/v1/campaigns/").status_code == 403


def test_reports_need_a_valid_token(api_as, revoked_client, campaign):
    assert api_as(None).get("/api/v1/campaigns/LAW-T/report/").status_code == 401
    assert revoked_client.get("/api/v1/campaigns/LAW-T/report/").status_code == 401


def test_an_unknown_campaign_is_404(api_as, leadership, campaign):
    assert api_as(leadership).get("/api/v1/campaigns/NOPE/report/").status_code == 404


def test_campaigns_are_listed(api_as, unit_leader, campaign):
    body = api_as(unit_leader).get("/api/v1/campaigns/").json()
    assert [c["code"] for c in body["results"]] == ["LAW-T"]
    assert body["results"][0]["courses"] == ["LAW-1"]
    detail = api_as(unit_leader).get("/api/v1/campaigns/LAW-T/").json()
    assert detail["title"] == "法治教育"


def test_completions_are_scoped(api_as, unit_leader, learner, leadership, campaign):
    def numbers(user):
        body = api_as(user).get("/api/v1/completions/").json()
        return {c["staff_no"] for c in body["results"]}

    assert numbers(leadership) == {"S-G1-D1", "S-G3"}
    assert numbers(unit_leader) == {"S-G1-D1"}
    assert numbers(learner) == set()
    CourseCompletion.objects.create(
        user=learner, course=campaign.course, completed_on=timezone.localdate()
    )
    assert numbers(learner) == {"L0001"}


def test_completions_filter_and_page(api_as, leadership, campaign):
    client = api_as(leadership)
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    recent = client.get("/api/v1/completions/", {"since": since}).json()["results"]
    assert [c["staff_no"] for c in recent] == ["S-G3"]
    first = client.get("/api/v1/completions/", {"limit": 1}).json()
    second = client.get(first["next"]).json()
    assert first["results"][0]["id"] != second["results"][0]["id"]
    assert second["next"] is None
    by_person = client.get("/api/v1/completions/", {"staff_no": "S-G3"}).json()
    assert [c["course_code"] for c in by_person["results"]] == ["LAW-1"]


def test_an_administrator_posts_offline_completions(api_as, administrator, campaign):
    client = api_as(administrator)
    rows = [
        {
            "staff_no": "S-G2",
            "course_code": "LAW-1",
            "completed_on": "2026-03-01",
            "source": "线下集中培训",
            "hours": 4,
        }
    ]
    response = client.post("/api/v1/completions/", {"rows": rows})
    assert response.status_code == 201, response.content
    completion = CourseCompletion.objects.get(user__profile__staff_no="S-G2")
    assert completion.source == "offline"
    assert completion.source_text == "线下集中培训"
    assert ImportAudit.objects.filter(kind="completions", via="api").exists()
    again = client.post("/api/v1/completions/", {"rows": rows})
    assert again.status_code == 200 and again.json()["unchanged"] == 1


def test_a_batch_with_one_bad_row_records_nothing(api_as, administrator, campaign):
    rows = [
        {"staff_no": "S-G2", "course_code": "LAW-1", "completed_on": "2026-03-01"},
        {"staff_no": "NOBODY", "course_code": "LAW-1", "completed_on": "2026-03-01"},
    ]
    response = api_as(administrator).post("/api/v1/completions/", {"rows": rows})
    assert response.status_code == 422
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [
        (2, "staff_no")
    ]
    assert not CourseCompletion.objects.filter(user__profile__staff_no="S-G2").exists()


@pytest.mark.parametrize("role", ["leadership", "unit_leader", "learner"])
def test_only_administrators_post_completions(api_as, role, request, campaign):
    rows = [{"staff_no": "S-G2", "course_code": "LAW-1", "completed_on": "2026-03-01"}]
    client = api_as(request.getfixturevalue(role))
    assert client.post("/api/v1/completions/", {"rows": rows}).status_code == 403


def test_completions_need_a_token(api_as, revoked_client, campaign):
    assert api_as(None).get("/api/v1/completions/").status_code == 401
    assert revoked_client.get("/api/v1/completions/").status_code == 401
    rows = [{"staff_no": "S-G2", "course_code": "LAW-1", "completed_on": "2026-03-01"}]
    assert (
        revoked_client.post("/api/v1/completions/", {"rows": rows}).status_code == 401
    )


def test_a_certificate_is_verified_by_anyone(api_as, learner, campaign, people):
    completion = CourseCompletion.objects.get(user=people["G3"].user)
    certificate = certificate_issue(completion=completion)
    for client in (api_as(None), api_as(learner)):
        response = client.get(f"/api/v1/certificates/{certificate.code.lower()}/")
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "G3人" and body["course_code"] == "LAW-1"
        assert set(body) == {
            "code",
            "name",
            "course_code",
            "course_title",
            "completed_on",
            "issued_at",
        }
    assert api_as(None).get("/api/v1/certificates/NOPE123/").status_code == 404


def test_a_revoked_token_is_anonymous_for_certificates(revoked_client, campaign):
    assert revoked_client.get("/api/v1/certificates/NOPE123/").status_code == 404
