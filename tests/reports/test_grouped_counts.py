"""The province-wide aggregate counts each status exactly as the person-by-person read.

The aggregate is one GROUP BY; on PostgreSQL its status counts travel packed in one
sum per group, with a status-by-status query for groups too large to pack. Both
must give what counting the people rows one by one gives.
"""

import datetime as dt

import pytest
from django.utils import timezone

from learning.campaigns.services import campaign_sync_audience, exemption_grant
from reports import selectors
from reports import sql as reports_sql
from tests.campaigns.factories import complete, lesson_done, make_campaign, make_course
from tests.factories import StaffFactory

START = dt.date(2026, 3, 1)
AS_OF = dt.date(2026, 5, 10)


@pytest.fixture
def mixed(reference_data, tree):
    """Every status in one campaign whose due date counts from joining."""
    course = make_course(reference_data, "LAW-G")
    people = [
        StaffFactory(
            unit=tree[("G1-D1", "G3", "G2")[n % 3]],
            staff_no=f"M{n:02d}",
            is_leader=n % 4 == 0,
        )
        for n in range(24)
    ]
    campaign = make_campaign([course], starts_on=START, due_days=30)
    campaign_sync_audience(campaign=campaign, today=START)
    late = [StaffFactory(unit=tree["G3"], staff_no=f"L{n}") for n in range(3)]
    campaign_sync_audience(campaign=campaign, today=dt.date(2026, 5, 1))
    for person in people[:6]:
        complete(person.user, course, dt.date(2026, 4, 1))
    for person in people[6:10] + late[:1]:
        lesson_done(
            person.user, course, timezone.make_aware(dt.datetime(2026, 4, 2, 9, 0))
        )
    for person in people[10:12]:
        exemption_grant(
            campaign=campaign, staff=person, reason="借调", approver="政治部"
        )
    return campaign


def _by_group(rows) -> dict:
    return {(unit, bool(leader)): tuple(counts) for unit, leader, *counts in rows}


@pytest.mark.django_db
def test_aggregate_counts_equal_the_people_rows(mixed, monkeypatch):
    scope = selectors.report_scope()
    sql, params = selectors._person_base(mixed, scope, AS_OF)
    people = selectors.rows(sql, params)
    assert {p["status"] for p in people} == set(selectors.STATUSES)
    cycle = selectors.campaign_cycle(mixed, AS_OF)
    expected = _by_group(selectors._group_people(people, cycle, AS_OF))
    # Due 30 days after joining on 1 March, completed on 1 April: late, every one.
    late = selectors.COUNT_KEYS.index("completed_late")
    assert sum(counts[late] for counts in expected.values()) == 6

    grouped = selectors._grouped_counts(mixed, scope, AS_OF, cycle)
    assert _by_group(grouped) == expected
    # Groups too large to pack are counted status by status, with the same result.
    monkeypatch.setattr(selectors, "PACKED_LIMIT", 0)
    grouped = selectors._grouped_counts(mixed, scope, AS_OF, cycle)
    assert _by_group(grouped) == expected


def test_a_packed_sum_unpacks_to_the_status_counts():
    counts = [700, 3, 65_535, 0]
    total = sum(c << (reports_sql.PACKED_BITS * k) for k, c in enumerate(counts))
    assert reports_sql.unpack(sum(counts) + 9, total, 5) == [*counts, 9]


@pytest.mark.django_db
def test_late_completions_against_a_fixed_due_date_are_counted_in_the_aggregate(
    reference_data, tree, monkeypatch
):
    course = make_course(reference_data, "LAW-F")
    due = dt.date(2026, 4, 15)
    for n, day in enumerate([dt.date(2026, 4, 1), dt.date(2026, 4, 20), None]):
        person = StaffFactory(unit=tree["G3"], staff_no=f"F{n}", is_leader=n == 1)
        if day:
            complete(person.user, course, day)
    campaign = make_campaign([course], code="LAW-F", starts_on=START, due_on=due)
    scope = selectors.report_scope()
    sql, params = selectors._person_base(campaign, scope, AS_OF)
    cycle = selectors.campaign_cycle(campaign, AS_OF)
    expected = _by_group(
        selectors._group_people(selectors.rows(sql, params), cycle, AS_OF)
    )
    late = selectors.COUNT_KEYS.index("completed_late")
    assert sum(counts[late] for counts in expected.values()) == 1

    assert _by_group(selectors._grouped_counts(campaign, scope, AS_OF, cycle)) == (
        expected
    )
    monkeypatch.setattr(selectors, "PACKED_LIMIT", 0)
    assert _by_group(selectors._grouped_counts(campaign, scope, AS_OF, cycle)) == (
        expected
    )
