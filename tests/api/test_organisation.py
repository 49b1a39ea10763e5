"""Units and staff through the API: scope, paging, roles and the roster upsert."""

import pytest

from organisation.models import ImportAudit, StaffProfile

pytestmark = pytest.mark.django_db


def codes(response):
    return [u["code"] for u in response.json()["results"]]


def test_it_refuses_requests_without_a_token(api_as, tree):
    response = api_as(None).get("/api/v1/units/")
    assert response.status_code == 401


def test_it_refuses_a_revoked_token(revoked_client):
    assert revoked_client.get("/api/v1/units/").status_code == 401
    assert revoked_client.get("/api/v1/staff/").status_code == 401


def test_it_refuses_a_made_up_token(tree):
    from tests.api.conftest import TokenClient

    client = TokenClient("wagtail_notarealtokenatall")
    assert client.get("/api/v1/staff/").status_code == 401


def test_a_session_cookie_does_not_stand_in_for_a_token(client, leadership):
    client.force_login(leadership)
    assert client.get("/api/v1/units/").status_code == 401


def test_leadership_sees_every_unit(api_as, leadership):
    response = api_as(leadership).get("/api/v1/units/")
    assert response.status_code == 200
    assert set(codes(response)) == {"P", "C1", "C2", "G1", "G2", "G3", "G1-D1"}


def test_a_unit_leader_sees_only_their_subtree(api_as, unit_leader):
    client = api_as(unit_leader)
    assert codes(client.get("/api/v1/units/")) == ["G1", "G1-D1"]
    assert client.get("/api/v1/units/G1-D1/").json()["parent_code"] == "G1"
    assert client.get("/api/v1/units/G2/").status_code == 404
    assert client.get("/api/v1/units/P/").status_code == 404


def test_a_learner_sees_no_unit(api_as, learner):
    client = api_as(learner)
    assert codes(client.get("/api/v1/units/")) == []
    assert client.get("/api/v1/units/G1/").status_code == 404


def test_units_page_with_a_cursor_and_filter(api_as, leadership):
    client = api_as(leadership)
    first = client.get("/api/v1/units/", {"limit": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    seen = codes_all(client, first)
    assert len(seen) == 7 and len(set(seen)) == 7
    grassroots = client.get("/api/v1/units/", {"level": "grassroots"})
    assert set(codes(grassroots)) == {"G1", "G2", "G3"}
    children = client.get("/api/v1/units/", {"parent": "C1"})
    assert set(codes(children)) == {"G1", "G2"}


def codes_all(client, page):
    seen = [u["code"] for u in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [u["code"] for u in page["results"]]
    return seen


def test_a_forged_cursor_is_a_bad_request(api_as, leadership):
    response = api_as(leadership).get("/api/v1/units/", {"cursor": "%%%"})
    assert response.status_code == 400


def test_staff_are_scoped_to_the_subtree(api_as, unit_leader, people):
    client = api_as(unit_leader)
    staff = client.get("/api/v1/staff/").json()
    numbers = {p["staff_no"] for p in staff["results"]}
    assert numbers == {"UL001", "S-G1", "S-G1-D1"}
    assert staff["next"] is None
    assert client.get("/api/v1/staff/S-G3/").status_code == 404
    assert client.get("/api/v1/staff/", {"unit": "G3"}).status_code == 404
    person = client.get("/api/v1/staff/S-G1-D1/").json()
    assert person["unit_code"] == "G1-D1" and person["name"] == "G1-D1人"


def test_staff_filter_by_unit_covers_its_subtree(api_as, leadership, people):
    client = api_as(leadership)
    staff = client.get("/api/v1/staff/", {"unit": "C1"}).json()["results"]
    assert {p["staff_no"] for p in staff} == {"S-G1", "S-G1-D1", "S-G2"}


def test_staff_pages_through_everyone_once(api_as, leadership, people):
    client = api_as(leadership)
    page = client.get("/api/v1/staff/", {"limit": 2}).json()
    seen = [p["staff_no"] for p in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [p["staff_no"] for p in page["results"]]
    assert sorted(seen) == sorted(
        StaffProfile.objects.values_list("staff_no", flat=True)
    )


def test_staff_list_has_a_query_budget(api_as, leadership, people, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import StaffFactory

    client = api_as(leadership)
    client.get("/api/v1/staff/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/staff/")
    for n in range(10):
        StaffFactory(unit=tree["G2"], staff_no=f"X{n:03d}")
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/staff/")
    assert len(large) == len(small)


def test_a_learner_sees_no_staff(api_as, learner, people):
    client = api_as(learner)
    assert client.get("/api/v1/staff/").json()["results"] == []
    assert client.get("/api/v1/staff/S-G1/").status_code == 404


def test_an_administrator_upserts_a_person(api_as, administrator, tree):
    client = api_as(administrator)
    response = client.put(
        "/api/v1/staff/N0001/",
        {"姓名": "新同志", "unit_code": "G2", "position": "检察官助理"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    person = StaffProfile.objects.get(staff_no="N0001")
    assert (person.name, person.unit.code, person.position) == (
        "新同志",
        "G2",
        "检察官助理",
    )
    # A field left out keeps what is stored.
    again = client.put("/api/v1/staff/N0001/", {"name": "新同志", "unit_code": "G3"})
    assert again.json()["updated"] == 1
    person.refresh_from_db()
    assert (person.unit.code, person.position) == ("G3", "检察官助理")
    audit = ImportAudit.objects.filter(kind="staff", via="api")
    assert audit.count() == 2


def test_an_upsert_with_errors_writes_nothing(api_as, administrator, tree):
    client = api_as(administrator)
    response = client.put(
        "/api/v1/staff/",
        {
            "rows": [
                {"staff_no": "B1", "name": "甲", "unit_code": "G1", "hired_on": ""},
                {"staff_no": "B2", "name": "乙", "unit_code": "NOPE", "hired_on": ""},
                {"staff_no": "B3", "name": "丙", "unit_code": "G1", "hired_on": "x"},
            ]
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error_count"] == 2
    assert {(e["row"], e["column"]) for e in body["errors"]} == {
        (2, "unit_code"),
        (3, "hired_on"),
    }
    assert not StaffProfile.objects.filter(staff_no__in=["B1", "B2", "B3"]).exists()


def test_unknown_and_uneven_fields_are_refused(api_as, administrator, tree):
    client = api_as(administrator)
    unknown = client.put(
        "/api/v1/staff/",
        {"rows": [{"staff_no": "B1", "name": "甲", "unit_code": "G1", "shoe": 1}]},
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0] | {"message": ""} == {
        "row": 0,
        "column": "shoe",
        "message": "",
    }
    uneven = client.put(
        "/api/v1/staff/",
        {
            "rows": [
                {"staff_no": "B1", "name": "甲", "unit_code": "G1", "position": "x"},
                {"staff_no": "B2", "name": "乙", "unit_code": "G1"},
            ]
        },
    )
    assert uneven.status_code == 422
    assert uneven.json()["errors"][0]["row"] == 2


def test_a_dry_run_writes_nothing(api_as, administrator, tree):
    client = api_as(administrator)
    response = client.put(
        "/api/v1/staff/?dry_run=true",
        {"rows": [{"staff_no": "D1", "name": "甲", "unit_code": "G1"}]},
    )
    assert response.json()["created"] == 1 and response.json()["dry_run"] is True
    assert not StaffProfile.objects.filter(staff_no="D1").exists()


@pytest.mark.parametrize("role", ["leadership", "unit_leader", "learner"])
def test_only_administrators_upsert(api_as, role, request, tree):
    client = api_as(request.getfixturevalue(role))
    response = client.put("/api/v1/staff/Z1/", {"name": "甲", "unit_code": "G1"})
    assert response.status_code == 403
    assert not StaffProfile.objects.filter(staff_no="Z1").exists()


def test_anonymous_and_revoked_cannot_upsert(api_as, revoked_client, tree):
    payload = {"name": "甲", "unit_code": "G1"}
    assert api_as(None).put("/api/v1/staff/Z1/", payload).status_code == 401
    assert revoked_client.put("/api/v1/staff/Z1/", payload).status_code == 401
