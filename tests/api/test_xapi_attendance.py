"""Class attendance in the xAPI feed: attended statements, scoped, paged and pushed."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import override_settings
from django.utils import timezone

from api.lrs import lrs_push
from api.models import LrsPushMark
from api.xapi import _duration
from hours.models import Attendance
from hours.services import attendance_record
from tests.api.conftest import fetch_all
from tests.api.test_lrs_push import Receiver, push_settings
from tests.api.xapi_rules import statement_errors

pytestmark = pytest.mark.django_db

ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
BASE = "http://127.0.0.1:8000/xapi"


def attended(statements) -> dict[str, dict]:
    return {
        s["actor"]["account"]["name"]: s
        for s in statements
        if s["verb"]["id"] == ATTENDED
    }


def test_attendance_statements_follow_the_1_0_3_rules(
    api_as, leadership, learning, attendance
):
    statements = fetch_all(api_as(leadership))
    assert set(attended(statements)) == {"L0001", "S-G3"}
    for statement in statements:
        assert statement_errors(statement) == [], statement


def test_a_code_sign_in_says_which_session_when_and_how_long(
    api_as, leadership, attendance
):
    statement = attended(fetch_all(api_as(leadership)))["L0001"]
    opening = attendance["sessions"][0]
    assert statement["verb"]["display"] == {"zh-CN": "出席", "en-US": "attended"}
    assert statement["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}/activities/class-session/{opening.pk}",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "name": {
                "zh-CN": "检察业务培训班 2026年5月1日 开班",
                "en-US": "Class BJ-T, session of 2026-05-01",
            },
        },
    }
    parent = statement["context"]["contextActivities"]["parent"]
    assert [p["id"] for p in parent] == [f"{BASE}/activities/class/BJ-T"]
    assert parent[0]["definition"]["name"] == {
        "zh-CN": "检察业务培训班",
        "en-US": "Centralised training class BJ-T",
    }
    assert statement["context"]["extensions"] == {f"{BASE}/extensions/sign-in": "code"}
    assert statement["result"] == {
        "duration": "PT3H30M",
        "extensions": {f"{BASE}/extensions/credited-hours": 3.5},
    }
    signed_in = attendance["by_code"].recorded_at
    assert dt.datetime.fromisoformat(statement["timestamp"]) == signed_in.replace(
        microsecond=signed_in.microsecond // 1000 * 1000
    )


def test_a_paper_sheet_is_timed_at_the_start_of_the_sessions_day(
    api_as, leadership, attendance
):
    statement = attended(fetch_all(api_as(leadership)))["S-G3"]
    assert statement["timestamp"].startswith("2026-05-01T16:00")  # 05-02 in Beijing
    assert statement["result"]["duration"] == "PT6H"
    assert statement["context"]["extensions"][f"{BASE}/extensions/sign-in"] == "sheet"
    assert "en-US" in statement["object"]["definition"]["name"]


def test_a_corrected_sheet_keeps_the_statement_id(
    api_as, leadership, people, attendance
):
    client = api_as(leadership)
    before = attended(fetch_all(client))["S-G3"]
    attendance_record(
        session=attendance["sessions"][1],
        staff=people["G3"],
        hours=Decimal("7.5"),
        via=Attendance.Via.SHEET,
    )
    after = attended(fetch_all(client))["S-G3"]
    assert after["id"] == before["id"]
    assert after["result"]["duration"] == "PT7H30M"


def test_attendance_is_scoped(api_as, unit_leader, learner, leadership, attendance):
    assert set(attended(fetch_all(api_as(learner)))) == {"L0001"}
    assert set(attended(fetch_all(api_as(unit_leader)))) == {"L0001"}
    assert set(attended(fetch_all(api_as(leadership)))) == {"L0001", "S-G3"}


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_paging_interleaves_attendance_without_gaps(
    api_as, leadership, learning, attendance, limit
):
    client = api_as(leadership)
    whole = fetch_all(client, limit=500)
    paged = fetch_all(client, limit=limit)
    assert [s["id"] for s in paged] == [s["id"] for s in whole]
    assert len({s["id"] for s in whole}) == len(whole)


def test_since_serves_attendance_recorded_later(api_as, leadership, attendance):
    client = api_as(leadership)
    between = attendance["by_code"].recorded_at
    Attendance.objects.filter(pk=attendance["by_code"].pk).update(
        recorded_at=between - dt.timedelta(minutes=1)
    )
    later = attended(fetch_all(client, since=between.isoformat()))
    assert set(later) == {"S-G3"}
    assert fetch_all(client, since=timezone.now().isoformat()) == []


@override_settings(XAPI_SETTLE_SECONDS=3600)
def test_fresh_attendance_is_held_back(api_as, leadership, attendance):
    assert attended(fetch_all(api_as(leadership))) == {}


def test_the_lrs_push_delivers_attendance(api_as, leadership, learning, attendance):
    receiver = Receiver()
    try:
        with push_settings(receiver):
            delivered = lrs_push()
    finally:
        receiver.stop()
    expected = {s["id"] for s in fetch_all(api_as(leadership))}
    assert set(receiver.stored) == expected and delivered == len(expected)
    assert set(attended(receiver.stored.values())) == {"L0001", "S-G3"}


def test_marks_past_earlier_attendance_are_moved_back(api_as, leadership, attendance):
    """The upgrade that added attendance to the feed rewinds a mark that had moved
    past attendance already recorded, so that attendance is delivered too."""
    migration = importlib.import_module(
        "api.migrations.0002_deliver_earlier_attendance"
    )
    first = attendance["by_code"].recorded_at
    later = first + dt.timedelta(hours=1)
    behind = LrsPushMark.objects.create(
        endpoint="https://lrs.example/a/", position=[later.isoformat(), 2, 9, 0]
    )
    before = first - dt.timedelta(seconds=1)
    ahead = LrsPushMark.objects.create(
        endpoint="https://lrs.example/b/", position=[before.isoformat(), 1, 3, 0]
    )
    unused = LrsPushMark.objects.create(endpoint="https://lrs.example/c/")
    migration.rewind_marks(apps, None)
    behind.refresh_from_db()
    ahead.refresh_from_db()
    unused.refresh_from_db()
    assert behind.position == [first.isoformat(), -1, 0, 0]
    assert ahead.position == [before.isoformat(), 1, 3, 0]
    assert unused.position is None
    with override_settings(XAPI_LRS_ENDPOINT="https://lrs.example/a/"):
        from api.xapi import Cursor, statements_page

        page = statements_page(
            user=None, cursor=Cursor.from_list(behind.position), limit=10
        )
    assert set(attended(page.statements)) == {"L0001", "S-G3"}


@pytest.mark.parametrize(
    ("hours", "duration"),
    [
        ("3.5", "PT3H30M"),
        ("7.5", "PT7H30M"),
        ("8", "PT8H"),
        ("0.1", "PT6M"),
        ("0", "PT0S"),
    ],
)
def test_hours_become_iso_durations(hours, duration):
    assert _duration(Decimal(hours)) == duration


def test_the_validator_catches_a_broken_duration_and_extension(
    api_as, leadership, attendance
):
    good = attended(fetch_all(api_as(leadership)))["L0001"]
    broken = dict(good, result={"duration": "3.5h", "extensions": {"hours": 3.5}})
    broken["context"] = dict(good["context"], contextActivities={"parent": [{}]})
    errors = statement_errors(broken)
    assert any(e.startswith("result.duration") for e in errors)
    assert any(e.startswith("result.extensions") for e in errors)
    assert any(e.startswith("context.contextActivities.parent") for e in errors)
