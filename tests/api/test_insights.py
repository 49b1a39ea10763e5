"""Indicator values posted through the API, and the stored gap snapshot read from it."""

import pytest

from insights.models import IndicatorValue
from organisation.models import ImportAudit

pytestmark = pytest.mark.django_db


def test_an_administrator_posts_a_periods_values(api_as, administrator, indicator):
    body = {
        "period": "2026Q3",
        "rows": [
            {"unit_code": "G1", "indicator_code": "case_ratio", "value": "1:1.31"},
            {"单位代码": "G2", "indicator_code": "case_ratio", "value": 1.5},
        ],
    }
    response = api_as(administrator).post("/api/v1/indicator-values/", body)
    assert response.status_code == 422  # the two rows name their fields differently
    body["rows"][1] = {"unit_code": "G2", "indicator_code": "case_ratio", "value": 1.5}
    response = api_as(administrator).post("/api/v1/indicator-values/", body)
    assert response.status_code == 201, response.content
    values = dict(
        IndicatorValue.objects.filter(period="2026Q3").values_list(
            "unit__code", "value"
        )
    )
    assert float(values["G1"]) == pytest.approx(1.31)
    assert float(values["G2"]) == pytest.approx(1.5)
    assert ImportAudit.objects.filter(kind="indicator_values", via="api").exists()


def test_bad_values_are_refused_whole(api_as, administrator, indicator):
    body = {
        "period": "2026Q3",
        "rows": [
            {"unit_code": "G1", "indicator_code": "case_ratio", "value": "1.2"},
            {"unit_code": "G1-D1", "indicator_code": "case_ratio", "value": "1.2"},
            {"unit_code": "G2", "indicator_code": "nope", "value": "x"},
        ],
    }
    response = api_as(administrator).post("/api/v1/indicator-values/", body)
    assert response.status_code == 422
    rows = {e["row"] for e in response.json()["errors"]}
    assert rows == {2, 3}
    assert not IndicatorValue.objects.exists()


def test_a_bad_period_is_refused(api_as, administrator, indicator):
    body = {
        "period": "2026Q9",
        "rows": [{"unit_code": "G1", "indicator_code": "case_ratio", "value": "1"}],
    }
    response = api_as(administrator).post("/api/v1/indicator-values/", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["column"] == "period"


@pytest.mark.parametrize("role", ["leadership", "unit_leader", "learner"])
def test_only_administrators_post_values(api_as, role, request, indicator):
    body = {
        "period": "2026Q3",
        "rows": [{"unit_code": "G1", "indicator_code": "case_ratio", "value": "1"}],
    }
    response = api_as(request.getfixturevalue(role)).post(
        "/api/v1/indicator-values/", body
    )
    assert response.status_code == 403
    assert not IndicatorValue.objects.exists()


def test_values_need_a_token(api_as, revoked_client, indicator):
    body = {"period": "2026Q3", "rows": []}
    assert api_as(None).post("/api/v1/indicator-values/", body).status_code == 401
    assert revoked_client.post("/api/v1/indicator-values/", body).status_code == 401


def test_leadership_reads_every_gap(api_as, leadership, snapshot):
    body = api_as(leadership).get("/api/v1/gaps/", {"period": "2026Q3"}).json()
    assert body["period"] == "2026Q3"
    assert [g["unit_code"] for g in body["gaps"]] == ["G3", "G1", "G2"]
    assert body["correlations"][0]["rho"] == 0.4


def test_a_unit_leader_reads_their_units_gaps_only(api_as, unit_leader, snapshot):
    body = api_as(unit_leader).get("/api/v1/gaps/").json()
    assert [g["unit_code"] for g in body["gaps"]] == ["G1"]
    assert body["gaps"][0]["staff_to_remediate"] == ["S-G1"]


def test_an_unknown_period_is_404(api_as, leadership, snapshot):
    assert (
        api_as(leadership).get("/api/v1/gaps/", {"period": "2020"}).status_code == 404
    )


def test_gaps_are_refused_to_learners_and_without_a_token(
    api_as, learner, revoked_client, snapshot
):
    assert api_as(learner).get("/api/v1/gaps/").status_code == 403
    assert api_as(None).get("/api/v1/gaps/").status_code == 401
    assert revoked_client.get("/api/v1/gaps/").status_code == 401


def test_administrators_read_gaps(api_as, administrator, snapshot):
    assert len(api_as(administrator).get("/api/v1/gaps/").json()["gaps"]) == 3
