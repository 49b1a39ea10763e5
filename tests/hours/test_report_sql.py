"""The report judged by PostgreSQL gives exactly what the Python judgement gives.

The statement of ``hours.sql`` and ``hours.compliance`` (the reference, and the path
on SQLite) are run on one hand-built roster that holds every case of the rules:
ranks, kinds, the five-year window, joiners, exemptions, events and people without
a ledger row; under the seeded rules and under a varied set.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from hours.models import HoursExemption, PostChange, Requirement
from hours.selectors import hours_report
from organisation.models import StaffProfile, Unit
from organisation.selectors import staff_in_unit, unit_subtree
from tests.hours.test_compliance import credit, person, roster  # noqa: F401

D = dt.date

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the statement is PostgreSQL's"
)


@pytest.fixture
def more(roster, tree):  # noqa: F811
    """The cases the hand-computed roster leaves out."""
    # No ledger row at all; no rank category; never dated.
    person(tree, "N", rank="", hired=None)
    person(tree, "N2", rank="leading", unit="G2")
    # Leading, joined this year and inside the five-year window's first year.
    m = person(tree, "M", rank="leading", hired=D(2026, 3, 9))
    credit(m, D(2026, 4, 1), 40, "online")
    credit(m, D(2026, 5, 1), 460)
    m2 = person(tree, "M2", rank="leading", hired=D(2022, 1, 1))
    credit(m2, D(2023, 4, 1), "549.9")
    # Exempt from online only, short of centralised.
    o = person(tree, "O", unit="G3")
    HoursExemption.objects.create(
        staff=o,
        kind="online",
        starts_on=D(2026, 12, 1),
        ends_on=D(2027, 1, 31),
        reason="借调",
    )
    credit(o, D(2026, 6, 1), "89.9")
    # An exemption of last year only excuses nothing this year.
    q = person(tree, "Q", unit="G3")
    HoursExemption.objects.create(
        staff=q, starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31), reason="病假"
    )
    # A promotion whose event line is excused with the centralised kind; online met.
    r = person(tree, "R", unit="G1-D1")
    PostChange.objects.create(staff=r, trigger="senior_prosecutor", on=D(2025, 6, 1))
    HoursExemption.objects.create(
        staff=r,
        kind="centralised",
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 3, 1),
        reason="借调",
    )
    credit(r, D(2026, 2, 1), 50, "online")
    # Exempt from everything with an event: exempt.
    s = person(tree, "S", unit="G2")
    PostChange.objects.create(staff=s, trigger="chief", on=D(2025, 12, 31))
    HoursExemption.objects.create(
        staff=s, starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 1), reason="病假"
    )
    # A chief appointed this year is judged next year; two events for one person.
    t = person(tree, "T", unit="G2", rank="leading")
    PostChange.objects.create(staff=t, trigger="chief", on=D(2026, 2, 1))
    PostChange.objects.create(staff=t, trigger="senior_prosecutor", on=D(2025, 1, 31))
    credit(t, D(2025, 3, 1), 120)
    credit(t, D(2026, 1, 30), 120)
    credit(t, D(2026, 2, 1), 60, "online")
    # Joined after the year: in no report of 2026.
    person(tree, "U", hired=D(2027, 2, 1))
    # Many of one kind on one day, and hours after the report date.
    v = person(tree, "V", unit="C2")
    for _ in range(3):
        credit(v, D(2026, 6, 30), "16.7", "online")
    credit(v, D(2026, 7, 1), 90)


def _vary_rules() -> None:
    """Rank-specific and retired rules, an online event rule, a two-year window."""
    Requirement.objects.create(
        kind="online",
        rank_category="leading",
        hours=Decimal(60),
        window_years=2,
        valid_from=D(2024, 1, 1),
    )
    Requirement.objects.create(
        kind="centralised",
        rank_category="general",
        hours=Decimal(90),
        valid_from=D(2026, 1, 1),
        active=False,
    )
    Requirement.objects.create(
        kind="online",
        trigger="chief",
        hours=Decimal(10),
        within_months=6,
        valid_from=D(2024, 1, 1),
    )


def _both(**kw):
    found = []
    for in_sql in (True, False):
        report = hours_report(in_sql=in_sql, **kw)
        people = list(report.people)
        pages = {
            statuses: [
                [p["staff_no"] for p in report.people_with(statuses)[i : i + 4]]
                for i in range(0, 24, 4)
            ]
            for statuses in (("met",), ("not_met",), ("exempt",), ("met", "exempt"))
        }
        counts = {s: report.people_with((s,)).count() for s in ("met", "not_met")}
        # A page read in the same statement as the counts (PostgreSQL).
        with_page = hours_report(in_sql=in_sql, page=(("not_met",), 2, 5), **kw)
        read = with_page.people_with(("not_met",))[2:7]
        assert (with_page.summary, with_page.units) == (report.summary, report.units)
        found.append((report.summary, report.units, people, pages, counts, read))
    return found


CASES = [
    (2026, D(2026, 12, 31)),
    (2026, D(2026, 6, 30)),
    (2025, D(2025, 12, 31)),
    (2027, D(2027, 3, 1)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("varied", [False, True])
@pytest.mark.parametrize(("year", "as_of"), CASES)
def test_the_statement_judges_everyone_as_python_does(more, year, as_of, varied):
    if varied:
        _vary_rules()
    everyone = dict(staff=StaffProfile.objects.all(), units=Unit.objects.all())
    for whole in (True, False):
        in_sql, in_python = _both(
            year=year, as_of=as_of, whole_province=whole, **everyone
        )
        assert in_sql == in_python
    assert len(in_sql[2]) >= 15
    if year == 2026:
        assert {p["status"] for p in in_sql[2]} == {"met", "not_met", "exempt"}


@pytest.mark.django_db
def test_a_unit_s_report_agrees_too(more, tree):
    unit = Unit.objects.get(code="G1")
    in_sql, in_python = _both(
        year=2026,
        as_of=D(2026, 12, 31),
        staff=staff_in_unit(unit),
        units=unit_subtree(unit),
    )
    assert in_sql == in_python
    assert {p["unit_code"] for p in in_sql[2]} == {"G1", "G1-D1"}


@pytest.mark.django_db
def test_the_statement_shows_the_event_lines(more):
    report = hours_report(
        year=2026,
        as_of=D(2026, 12, 31),
        staff=StaffProfile.objects.all(),
        units=Unit.objects.all(),
        in_sql=True,
    )
    t = next(p for p in report.people_with(("not_met",)) if p["staff_no"] == "T")
    assert t["events"] == [
        {
            "trigger": "senior_prosecutor",
            "on": "2025-01-31",
            "due_on": "2026-01-30",
            "hours": 240.0,
            "required": 225.0,
        }
    ]
