"""The completion report follows DESIGN.md's definition, person by person."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from learning.campaigns.services import exemption_grant
from organisation.models import StaffProfile
from tests.factories import StaffFactory

from .factories import complete, lesson_done, make_campaign, make_course

START = dt.date(2026, 3, 1)
DUE = dt.date(2026, 6, 30)


def report(code="LAW-T", **options) -> dict:
    out = StringIO()
    args = ["completion_report", "--campaign", code, "--format", "json"]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", value]
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def status_of(data: dict) -> dict[str, str]:
    return {p["staff_no"]: p["status"] for p in data["people"]}


@pytest.fixture
def law(reference_data, tree):
    course = make_course(reference_data, "LAW-1")
    return course


@pytest.fixture
def people(tree):
    return {
        n: StaffFactory(unit=tree["G1-D1"] if n < 5 else tree["G3"], staff_no=f"P{n}")
        for n in range(8)
    }


@pytest.mark.django_db
def test_it_counts_completions_only_between_start_and_report_date(law, people):
    make_campaign([law], starts_on=START, due_on=DUE)
    complete(people[0].user, law, dt.date(2026, 4, 1))
    complete(people[1].user, law, dt.date(2026, 2, 1))  # before the start
    complete(people[2].user, law, dt.date(2026, 5, 20))  # after the report date

    statuses = status_of(report(as_of="2026-05-10"))

    assert statuses["P0"] == "completed"
    assert statuses["P1"] != "completed"
    assert statuses["P2"] != "completed"


@pytest.mark.django_db
def test_a_superseded_completion_reopens_the_campaign_as_in_progress(law, people):
    make_campaign([law], starts_on=START, due_on=DUE)
    complete(people[0].user, law, dt.date(2026, 4, 1), superseded=True)
    complete(people[1].user, law, dt.date(2026, 2, 1), superseded=True)  # too early

    data = report(as_of="2026-05-10")
    statuses = status_of(data)
    # Finishing the earlier version is progress, not completion (DESIGN.md).
    assert statuses["P0"] == "in_progress"
    assert statuses["P1"] == "not_started"
    person = next(p for p in data["people"] if p["staff_no"] == "P0")
    assert person["completed_on"] is None
    assert data["summary"]["completed"] == 0
    assert data["summary"]["in_progress"] == 1
    # Past the due date it is overdue like any other unfinished campaign.
    assert status_of(report(as_of="2026-07-10"))["P0"] == "overdue"


@pytest.mark.django_db
def test_the_current_version_completes_after_a_superseded_one(law, people):
    make_campaign([law], starts_on=START, due_on=DUE)
    complete(people[0].user, law, dt.date(2026, 4, 1), superseded=True)
    complete(people[0].user, law, dt.date(2026, 4, 20), version=2)

    data = report(as_of="2026-05-10")
    person = next(p for p in data["people"] if p["staff_no"] == "P0")
    assert (person["status"], person["completed_on"]) == ("completed", "2026-04-20")


@pytest.mark.django_db
def test_every_course_must_be_completed(reference_data, people):
    first, second = (
        make_course(reference_data, "A-1"),
        make_course(reference_data, "A-2"),
    )
    make_campaign([first, second], starts_on=START, due_on=DUE)
    complete(people[0].user, first, dt.date(2026, 4, 1))
    complete(people[1].user, first, dt.date(2026, 4, 1))
    complete(people[1].user, second, dt.date(2026, 4, 2))

    data = report(as_of="2026-05-10")
    statuses = status_of(data)
    assert statuses["P0"] == "in_progress"
    assert statuses["P1"] == "completed"
    person = next(p for p in data["people"] if p["staff_no"] == "P1")
    assert person["completed_on"] == "2026-04-02"
    assert person["progress"] == 100


@pytest.mark.django_db
def test_due_dates_on_both_sides_of_the_report_date(law, people):
    make_campaign([law], starts_on=START, due_on=DUE)
    lesson_done(
        people[0].user, law, timezone.make_aware(dt.datetime(2026, 4, 1, 10, 0))
    )

    before = status_of(report(as_of="2026-06-30"))  # the due date itself
    after = status_of(report(as_of="2026-07-01"))

    assert before["P0"] == "in_progress" and before["P1"] == "not_started"
    assert after["P0"] == "overdue" and after["P1"] == "overdue"


@pytest.mark.django_db
def test_exemptions_count_until_they_expire(law, people):
    campaign = make_campaign([law], starts_on=START, due_on=DUE)
    exemption_grant(
        campaign=campaign, staff=people[0], reason="长期病假", approver="政治部"
    )
    exemption_grant(
        campaign=campaign,
        staff=people[1],
        reason="借调",
        approver="政治部",
        expires_on=dt.date(2026, 5, 31),
    )

    early = report(as_of="2026-05-10")
    late = report(as_of="2026-07-01")

    assert status_of(early)["P0"] == "exempt" and status_of(early)["P1"] == "exempt"
    assert status_of(late)["P0"] == "exempt" and status_of(late)["P1"] == "overdue"
    assert early["summary"]["exempt"] == 2
    assert early["summary"]["completion_rate"] == 0.0
    assert early["summary"]["headcount"] == 8


@pytest.mark.django_db
def test_completion_rate_leaves_the_exempt_out_of_the_denominator(law, people):
    campaign = make_campaign([law], starts_on=START, due_on=DUE)
    for n in range(3):
        complete(people[n].user, law, dt.date(2026, 4, 1))
    exemption_grant(campaign=campaign, staff=people[7], reason="产假", approver="x")

    summary = report(as_of="2026-05-10")["summary"]

    assert summary == {
        "headcount": 8,
        "completed": 3,
        "in_progress": 0,
        "not_started": 4,
        "overdue": 0,
        "exempt": 1,
        "completion_rate": round(3 / 7, 4),
        # Added to the fixed keys: completions after the due date (none here).
        "completed_late": 0,
    }


@pytest.mark.django_db
def test_leavers_drop_out_and_joiners_come_in(law, people, tree):
    make_campaign([law], starts_on=START, due_on=DUE)
    StaffProfile.objects.filter(pk=people[0].pk).update(active=False)
    StaffFactory(unit=tree["G2"], staff_no="NEW1")

    statuses = status_of(report(as_of="2026-05-10"))

    assert "P0" not in statuses
    assert statuses["NEW1"] == "not_started"


@pytest.mark.django_db
def test_people_who_never_signed_in_count_as_not_started(law, people):
    make_campaign([law], starts_on=START, due_on=DUE)
    assert all(p.user.last_login is None for p in people.values())
    assert set(status_of(report(as_of="2026-05-10")).values()) == {"not_started"}


@pytest.mark.django_db
def test_offline_completions_imported_from_a_file_count(law, people, tmp_path):
    make_campaign([law], starts_on=START, due_on=DUE)
    path = tmp_path / "offline.csv"
    path.write_text(
        "staff_no,course_code,completed_on,score,source\nP3,LAW-1,2026-04-15,92,offline\n",
        encoding="utf-8",
    )
    call_command("import_completions", str(path), stdout=StringIO())

    data = report(as_of="2026-05-10")
    person = next(p for p in data["people"] if p["staff_no"] == "P3")
    assert person["status"] == "completed"
    assert person["completed_on"] == "2026-04-15"


@pytest.mark.django_db
def test_units_roll_up_the_tree_and_unit_filter_limits_everything(law, people):
    make_campaign([law], starts_on=START, due_on=DUE)
    complete(people[0].user, law, dt.date(2026, 4, 1))
    complete(people[6].user, law, dt.date(2026, 4, 1))

    data = report(as_of="2026-05-10")
    units = {u["unit_code"]: u for u in data["units"]}
    assert units["P"]["headcount"] == 8 and units["P"]["completed"] == 2
    assert units["C1"]["headcount"] == 5 and units["G1"]["headcount"] == 5
    assert units["G1-D1"]["completed"] == 1
    assert units["C2"]["headcount"] == 3 and units["G3"]["completed"] == 1
    assert units["G2"]["headcount"] == 0 and units["G2"]["completion_rate"] is None
    assert set(units["P"]) >= {
        "unit_code",
        "unit_name",
        "level",
        "headcount",
        "completed",
        "in_progress",
        "not_started",
        "overdue",
        "exempt",
        "completion_rate",
    }

    mine = report(as_of="2026-05-10", unit="C2")
    assert {u["unit_code"] for u in mine["units"]} == {"C2", "G3"}
    assert {p["unit_code"] for p in mine["people"]} == {"G3"}
    assert mine["summary"]["headcount"] == 3


@pytest.mark.django_db
def test_audience_rules_units_lines_positions_and_leaders(law, tree):
    from organisation.models import BusinessLine

    line = BusinessLine.objects.get(code="ordinary_crime")
    a = StaffFactory(unit=tree["G1-D1"], staff_no="A", position="检察官")
    a.business_lines.add(line)
    b = StaffFactory(unit=tree["G1"], staff_no="B", position="检察官", is_leader=True)
    b.business_lines.add(line)
    StaffFactory(unit=tree["G3"], staff_no="C", position="检察官").business_lines.add(
        line
    )
    StaffFactory(unit=tree["G1-D1"], staff_no="D", position="书记员")
    make_campaign(
        [law],
        starts_on=START,
        due_on=DUE,
        units=[tree["C1"]],
        business_lines=[line],
        positions=["检察官"],
    )
    make_campaign([law], code="LEAD", starts_on=START, due_on=DUE, leaders_only=True)

    assert set(status_of(report(as_of="2026-05-10"))) == {"A", "B"}
    assert set(status_of(report("LEAD", as_of="2026-05-10"))) == {"B"}


@pytest.mark.django_db
def test_a_due_date_relative_to_joining(law, people, tree):
    from learning.campaigns.services import campaign_sync_audience

    campaign = make_campaign([law], starts_on=START, due_days=30)
    joiner = StaffFactory(unit=tree["G2"], staff_no="LATE")
    campaign_sync_audience(campaign=campaign, today=dt.date(2026, 5, 1))

    data = report(as_of="2026-05-10")
    statuses = status_of(data)
    assert statuses["P0"] == "overdue"  # joined on the start: due 31 March
    assert statuses["LATE"] == "not_started"  # joined 1 May: due 31 May
    late = next(p for p in data["people"] if p["staff_no"] == "LATE")
    assert late["due_on"] == "2026-05-31"
    assert joiner.staff_no == "LATE"


@pytest.mark.django_db
def test_an_annual_campaign_starts_again_each_year(law, people):
    make_campaign(
        [law],
        starts_on=dt.date(2025, 3, 1),
        due_on=dt.date(2025, 6, 30),
        recurrence="annual",
    )
    complete(people[0].user, law, dt.date(2025, 4, 1))
    complete(people[1].user, law, dt.date(2026, 4, 1))

    data = report(as_of="2026-05-10")
    statuses = status_of(data)
    assert statuses["P0"] == "not_started"
    assert statuses["P1"] == "completed"
    assert data["people"][0]["due_on"] == "2026-06-30"


@pytest.mark.django_db
def test_csv_and_xlsx_hold_the_people_with_chinese_headings(law, tree, tmp_path):
    from openpyxl import load_workbook

    StaffFactory(unit=tree["G1"], staff_no="X1", name='=HYPERLINK("x")')
    make_campaign([law], starts_on=START, due_on=DUE)
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    call_command(
        "completion_report",
        "--campaign",
        "LAW-T",
        "--format",
        "csv",
        "--output",
        str(csv_path),
        "--as-of",
        "2026-05-10",
    )
    call_command(
        "completion_report",
        "--campaign",
        "LAW-T",
        "--format",
        "xlsx",
        "--output",
        str(xlsx_path),
        "--as-of",
        "2026-05-10",
    )
    text = csv_path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("工号,姓名")
    assert "'=HYPERLINK" in text
    sheet = load_workbook(xlsx_path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "工号"
    assert values[1][1].startswith("'=")
