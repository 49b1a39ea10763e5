"""学时 via the API: the rows of training_hours_report, scoped and paged."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from hours.services import manual_entry_add
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _add(staff, kind: str, hours: int) -> None:
    manual_entry_add(
        staff=staff,
        on=dt.date(2026, 3, 1),
        hours=Decimal(hours),
        kind=kind,
        title="补录课程",
        reason="补录",
        user=None,
    )


@pytest.fixture
def ledger(tree, people):
    """Hours for a few people across both cities; one leaver."""
    _add(people["G1"], "online", 50)
    _add(people["G1"], "centralised", 90)
    _add(people["G3"], "online", 12)
    leaving = StaffFactory(unit=tree["G2"], staff_no="S-GONE", active=False)
    _add(leaving, "online", 50)
    return people


def command_people(*args) -> dict:
    out = io.StringIO()
    call_command(
        "training_hours_report", "--year", "2026", *args, "--format", "json", stdout=out
    )
    return {p["staff_no"]: p for p in json.loads(out.getvalue())["people"]}


def fetch_all(client, **params) -> list[dict]:
    page = client.get("/api/v1/hours/", params)
    assert page.status_code == 200, page.content
    data = page.json()
    rows = list(data["results"])
    while data["next"]:
        data = client.get(data["next"]).json()
        rows += data["results"]
    return rows


@pytest.mark.parametrize("role", ["administrator", "leadership"])
def test_the_rows_equal_training_hours_report(api_as, role, request, ledger):
    client = api_as(request.getfixturevalue(role))
    rows = fetch_all(client, year=2026, as_of="2026-12-31")
    expected = command_people("--as-of", "2026-12-31")
    assert {r["staff_no"]: r for r in rows} == expected
    assert [r["staff_no"] for r in rows] == sorted(expected)
    assert "S-GONE" not in expected
    assert expected["S-G1"]["status"] == "met"
    assert expected["S-G3"]["online_hours"] == 12


def test_the_page_names_year_and_date(api_as, leadership, ledger):
    data = api_as(leadership).get(
        "/api/v1/hours/", {"year": 2026, "as_of": "2026-06-30"}
    )
    assert data.json()["year"] == 2026
    assert data.json()["as_of"] == "2026-06-30"


def test_pages_follow_the_cursor_without_gaps(api_as, leadership, ledger):
    client = api_as(leadership)
    first = client.get("/api/v1/hours/", {"year": 2026, "limit": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    rows = fetch_all(client, year=2026, limit=2)
    numbers = [r["staff_no"] for r in rows]
    assert numbers == sorted(set(numbers))
    assert numbers == sorted(command_people())


def test_a_unit_leader_sees_only_the_subtree(api_as, unit_leader, ledger):
    client = api_as(unit_leader)
    rows = fetch_all(client, year=2026, as_of="2026-12-31")
    expected = command_people("--unit", "G1", "--as-of", "2026-12-31")
    assert {r["staff_no"]: r for r in rows} == expected
    assert {r["unit_code"] for r in rows} <= {"G1", "G1-D1"}
    assert "S-G3" not in expected and "S-G2" not in expected


def test_the_unit_filter_narrows_and_stays_in_scope(api_as, unit_leader, ledger):
    client = api_as(unit_leader)
    rows = fetch_all(client, year=2026, unit="G1-D1")
    assert {r["unit_code"] for r in rows} == {"G1-D1"}
    outside = client.get("/api/v1/hours/", {"year": 2026, "unit": "G3"})
    assert outside.status_code == 404
    missing = client.get("/api/v1/hours/", {"year": 2026, "unit": "NOPE"})
    assert missing.status_code == 404


def test_leadership_filters_by_any_unit(api_as, leadership, ledger):
    rows = fetch_all(api_as(leadership), year=2026, unit="C2")
    assert [r["staff_no"] for r in rows] == ["S-G3"]


def test_a_year_out_of_range_is_refused(api_as, leadership, tree):
    response = api_as(leadership).get("/api/v1/hours/", {"year": 1066})
    assert response.status_code == 400


def test_hours_need_a_reader_of_reports(api_as, learner, trainer, revoked_client):
    assert api_as(learner).get("/api/v1/hours/").status_code == 403
    assert api_as(trainer).get("/api/v1/hours/").status_code == 403
    assert api_as(None).get("/api/v1/hours/").status_code == 401
    assert revoked_client.get("/api/v1/hours/").status_code == 401
