"""The hours report on a hand-computed roster (year 2026, read on 2026-12-31).

Each person's expected standing is worked out in the comment beside them.
"""

import datetime as dt
from decimal import Decimal

import pytest

from hours.models import HoursExemption, PostChange
from hours.selectors import hours_report, standing_of
from hours.services import manual_entry_add
from organisation.models import StaffProfile, Unit
from tests.campaigns.factories import complete, make_course
from tests.factories import StaffFactory

D = dt.date
END = D(2026, 12, 31)
LONG_AGO = D(2015, 3, 1)


def credit(staff, day, hours, kind="centralised"):
    manual_entry_add(
        staff=staff,
        on=day,
        hours=Decimal(hours),
        kind=kind,
        title="补录",
        reason="纸质证书",
        user=None,
    )


def person(tree, no, *, rank="general", hired=LONG_AGO, unit="G1", **kw):
    return StaffFactory(
        unit=tree[unit], staff_no=no, rank_category=rank, hired_on=hired, **kw
    )


@pytest.fixture
def roster(tree, reference_data, django_capture_on_commit_callbacks):
    course = make_course(reference_data, "ONL-1", hours=30)
    people = {}
    # A: online 30 (a course on the platform) + 20 manual; centralised 90 → met.
    a = people["A"] = person(tree, "A")
    with django_capture_on_commit_callbacks(execute=True):
        complete(a.user, course, D(2026, 4, 1))
    credit(a, D(2026, 5, 1), 20, "online")
    credit(a, D(2026, 6, 1), 90)
    # B: online 50; centralised 80 this year (+20 last year, another window) → not_met.
    b = people["B"] = person(tree, "B")
    credit(b, D(2026, 1, 5), 50, "online")
    credit(b, D(2026, 3, 1), 80)
    credit(b, D(2025, 11, 1), 20)
    # C: leading, window 2022–2026 holds 5 × 100 = 500 < 550; the 300 of 2021
    # (six years back) does not count → not_met.
    c = people["C"] = person(tree, "C", rank="leading", unit="G2")
    credit(c, D(2026, 2, 1), 50, "online")
    credit(c, D(2021, 6, 1), 300)
    for year in range(2022, 2027):
        credit(c, D(year, 6, 1), 100)
    # D: leading, 2022-01-01 counts: 560 ≥ 550 → met.
    d = people["D"] = person(tree, "D", rank="leading", unit="G2")
    credit(d, D(2026, 2, 1), 50, "online")
    credit(d, D(2022, 1, 1), 460)
    credit(d, D(2026, 12, 31), 100)
    # E: joined 2026-07-01 → owes 6/12: online 25, centralised 45 → met.
    e = people["E"] = person(tree, "E", hired=D(2026, 7, 1))
    credit(e, D(2026, 8, 1), 25, "online")
    credit(e, D(2026, 9, 1), 45)
    # F: joined 2026-07-20, the month counts whole: still 6/12; online 24 → not_met.
    f = people["F"] = person(tree, "F", hired=D(2026, 7, 20))
    credit(f, D(2026, 8, 1), 24, "online")
    credit(f, D(2026, 9, 1), 45)
    # G: exempt from everything for part of 2026, no hours → exempt.
    g = people["G"] = person(tree, "G", unit="G3")
    HoursExemption.objects.create(
        staff=g, starts_on=D(2026, 3, 1), ends_on=D(2026, 8, 31), reason="病假"
    )
    # H: exempt from centralised training only; online 50 → met.
    h = people["H"] = person(tree, "H", unit="G3")
    HoursExemption.objects.create(
        staff=h,
        kind="centralised",
        starts_on=D(2025, 9, 1),
        ends_on=D(2026, 2, 28),
        reason="借调",
    )
    credit(h, D(2026, 2, 1), 50, "online")
    # I: left: not in the report at all.
    i = people["I"] = person(tree, "I", active=False)
    credit(i, D(2026, 2, 1), 500)
    # J: promoted to senior prosecutor 2025-03-01 (due 2026-02-28: judged in
    # 2026): 100 centralised within the year < min(230, 30 × 7.5 = 225);
    # the yearly 90 (June 2026) is after the deadline → not_met.
    j = people["J"] = person(tree, "J", unit="G1-D1")
    PostChange.objects.create(staff=j, trigger="senior_prosecutor", on=D(2025, 3, 1))
    credit(j, D(2026, 1, 10), 50, "online")
    credit(j, D(2025, 5, 1), 100)
    credit(j, D(2026, 6, 1), 90)
    # K: the same with 225 in the period → met.
    k = people["K"] = person(tree, "K", unit="G1-D1")
    PostChange.objects.create(staff=k, trigger="senior_prosecutor", on=D(2025, 3, 1))
    credit(k, D(2026, 1, 10), 50, "online")
    credit(k, D(2025, 6, 1), 225)
    credit(k, D(2026, 6, 1), 90)
    # L: leading, joined 2024-01: owes 36 of the window's 60 months of 550 = 330.
    ell = people["L"] = person(tree, "L", rank="leading", hired=D(2024, 1, 15))
    credit(ell, D(2026, 3, 1), 50, "online")
    credit(ell, D(2024, 3, 1), 200)
    credit(ell, D(2025, 3, 1), 130)
    return people


EXPECTED = {
    "A": ("met", 50, 50, 90, 90),
    "B": ("not_met", 50, 50, 80, 90),
    "C": ("not_met", 50, 50, 500, 550),
    "D": ("met", 50, 50, 560, 550),
    "E": ("met", 25, 25, 45, 45),
    "F": ("not_met", 24, 25, 45, 45),
    "G": ("exempt", 0, 50, 0, 90),
    "H": ("met", 50, 50, 0, 90),
    "J": ("not_met", 50, 50, 90, 90),
    "K": ("met", 50, 50, 90, 90),
    "L": ("met", 50, 50, 330, 330),
}


def _report(**kw):
    return hours_report(
        year=2026,
        as_of=END,
        staff=StaffProfile.objects.all(),
        units=Unit.objects.all(),
        **kw,
    )


@pytest.mark.django_db
def test_every_person_stands_as_computed_by_hand(roster):
    people = {
        p["staff_no"]: p
        for p in _report().people
        if p["staff_no"] in EXPECTED or p["staff_no"] == "I"
    }
    assert "I" not in people  # the leaver leaves the report
    got = {
        no: (
            p["status"],
            p["online_hours"],
            p["online_required"],
            p["centralised_hours"],
            p["centralised_required"],
        )
        for no, p in people.items()
    }
    assert got == EXPECTED


@pytest.mark.django_db
def test_whole_province_and_scoped_reports_agree(roster):
    whole = {p["staff_no"]: p["status"] for p in _report(whole_province=True).people}
    scoped = {p["staff_no"]: p["status"] for p in _report().people}
    assert whole == scoped


@pytest.mark.django_db
def test_the_leading_window_is_the_five_years_ending_with_the_year(roster):
    rows = {p["staff_no"]: p for p in _report().people}
    assert rows["C"]["centralised_window"] == [2022, 2026]
    assert rows["A"]["centralised_window"] == [2026, 2026]


@pytest.mark.django_db
def test_units_count_their_whole_subtree(roster):
    units = {u["unit_code"]: u for u in _report().units}
    # G1 holds A B E F L and, through G1-D1, J K: met A E K L, not_met B F J.
    assert (units["G1"]["headcount"], units["G1"]["met"], units["G1"]["not_met"]) == (
        7,
        4,
        3,
    )
    assert units["G3"]["exempt"] == 1
    assert units["G3"]["met_rate"] == 1.0  # H met; G exempt is not in the base
    assert units["P"]["headcount"] == 11
    assert units["P"]["met_rate"] == round(6 / 10, 4)


@pytest.mark.django_db
def test_the_event_rule_shows_its_period(roster):
    j = next(p for p in _report().people if p["staff_no"] == "J")
    assert j["events"] == [
        {
            "trigger": "senior_prosecutor",
            "on": "2025-03-01",
            "due_on": "2026-02-28",
            "hours": 100.0,
            "required": 225.0,
        }
    ]


@pytest.mark.django_db
def test_a_promotion_is_not_judged_before_the_year_of_its_deadline(roster):
    j = roster["J"]
    standing = standing_of(j, year=2025, as_of=D(2025, 12, 31))
    assert [x for x in standing.lines if x.trigger] == []


@pytest.mark.django_db
def test_hours_after_the_report_date_do_not_count(roster):
    standing = standing_of(roster["D"], year=2026, as_of=D(2026, 12, 30))
    assert standing.periodic("centralised").hours == Decimal(460)
    assert standing.status == "not_met"


@pytest.mark.django_db
def test_people_not_yet_joined_are_left_out(tree, reference_data):
    person(tree, "LATE", hired=D(2027, 1, 4))
    assert [p for p in _report().people if p["staff_no"] == "LATE"] == []


@pytest.mark.django_db
def test_a_newer_rule_applies_from_its_date_and_not_before(roster):
    from hours.models import Requirement

    Requirement.objects.create(
        kind="online", rank_category="", hours=60, valid_from=D(2027, 1, 1)
    )
    assert standing_of(roster["A"], year=2026, as_of=END).status == "met"
    online = standing_of(roster["A"], year=2027, as_of=D(2027, 12, 31)).periodic(
        "online"
    )
    assert online.required == 60
