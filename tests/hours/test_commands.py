import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from hours.models import Attendance, CentralisedClass, LedgerEntry
from hours.services import manual_entry_add
from tests.campaigns.factories import make_course
from tests.factories import StaffFactory


@pytest.fixture
def two_people(tree):
    a = StaffFactory(unit=tree["G1"], staff_no="A1", rank_category="general")
    b = StaffFactory(unit=tree["G3"], staff_no="=B2", rank_category="leading")
    for staff, kind, hours in ((a, "online", 50), (a, "centralised", 90)):
        manual_entry_add(
            staff=staff,
            on=dt.date(2026, 3, 1),
            hours=Decimal(hours),
            kind=kind,
            title="x",
            reason="补录",
            user=None,
        )
    return a, b


def _json(capsys, *args):
    call_command("training_hours_report", *args)
    return json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_the_json_has_the_documented_shape(two_people, capsys):
    data = _json(capsys, "--year", "2026", "--as-of", "2026-12-31")
    assert data["year"] == 2026 and data["as_of"] == "2026-12-31"
    assert data["summary"] == {
        "headcount": 2,
        "met": 1,
        "not_met": 1,
        "exempt": 0,
        "met_rate": 0.5,
    }
    assert set(data["units"][0]) == {
        "unit_code",
        "unit_name",
        "level",
        "headcount",
        "met",
        "not_met",
        "exempt",
        "met_rate",
    }
    people = {p["staff_no"]: p for p in data["people"]}
    assert set(people["A1"]) == {
        "staff_no",
        "name",
        "unit_code",
        "rank_category",
        "online_hours",
        "online_required",
        "centralised_hours",
        "centralised_required",
        "centralised_window",
        "status",
    }
    assert people["A1"]["status"] == "met"
    assert people["=B2"]["centralised_window"] == [2022, 2026]
    assert people["=B2"]["centralised_required"] == 550


@pytest.mark.django_db
def test_a_unit_report_holds_only_its_subtree(two_people, capsys):
    data = _json(capsys, "--year", "2026", "--unit", "C1", "--as-of", "2026-12-31")
    assert [p["staff_no"] for p in data["people"]] == ["A1"]
    assert {u["unit_code"] for u in data["units"]} == {"C1", "G1", "G2", "G1-D1"}


@pytest.mark.django_db
def test_csv_and_xlsx_neutralise_formula_cells(two_people, tmp_path):
    csv_file, xlsx_file = tmp_path / "h.csv", tmp_path / "h.xlsx"
    call_command(
        "training_hours_report",
        "--year",
        "2026",
        "--format",
        "csv",
        "--output",
        str(csv_file),
    )
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("工号,姓名")
    assert "'=B2" in text
    call_command(
        "training_hours_report",
        "--year",
        "2026",
        "--format",
        "xlsx",
        "--output",
        str(xlsx_file),
    )
    rows = list(load_workbook(xlsx_file).active.values)
    assert rows[0][0] == "工号"
    assert "'=B2" in [r[0] for r in rows]


@pytest.mark.django_db
def test_import_attendance_credits_hours_once(tree, tmp_path, capsys):
    a = StaffFactory(unit=tree["G1"], staff_no="A1")
    CentralisedClass.objects.create(
        code="BJ-1",
        title="业务培训班",
        organiser=tree["P"],
        starts_on=dt.date(2026, 5, 11),
        ends_on=dt.date(2026, 5, 15),
    )
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "工号,培训班代码,日期,学时,天数\n"
        "A1,BJ-1,2026-05-11,,\n"
        "A1,BJ-1,2026-05-12,4,\n"
        "A1,BJ-1,2026-05-13,,2\n",
        encoding="utf-8",
    )
    call_command("import_attendance", str(sheet), "--json")
    assert json.loads(capsys.readouterr().out)["created"] == 3
    hours = sorted(LedgerEntry.objects.filter(staff=a).values_list("hours", flat=True))
    assert hours == [Decimal(4), Decimal("7.5"), Decimal(15)]
    call_command("import_attendance", str(sheet), "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["created"], out["unchanged"]) == (0, 3)
    assert LedgerEntry.objects.filter(staff=a).count() == 3
    assert Attendance.objects.count() == 3


@pytest.mark.django_db
def test_import_attendance_refuses_a_day_outside_the_class(tree, tmp_path, capsys):
    StaffFactory(unit=tree["G1"], staff_no="A1")
    CentralisedClass.objects.create(
        code="BJ-1",
        title="班",
        organiser=tree["P"],
        starts_on=dt.date(2026, 5, 11),
        ends_on=dt.date(2026, 5, 15),
    )
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "staff_no,class_code,date\nA1,BJ-1,2026-05-11\nA1,BJ-1,2026-06-01\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit):
        call_command("import_attendance", str(sheet))
    err = capsys.readouterr().err
    assert "3" in err.splitlines()[0] and "date" in err.splitlines()[0]
    assert LedgerEntry.objects.count() == 0


@pytest.mark.django_db
def test_imported_completions_reach_the_ledger_with_their_hours_and_kind(
    tree, reference_data, tmp_path, django_capture_on_commit_callbacks
):
    StaffFactory(unit=tree["G1"], staff_no="A1")
    make_course(reference_data, "LAW-9", hours=3)
    sheet = tmp_path / "c.csv"
    sheet.write_text(
        "工号,课程代码,完成日期,培训形式,学时\nA1,LAW-9,2026-03-01,线下集中培训,24\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_completions", str(sheet))
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.hours, entry.source) == ("centralised", 24, "imported")
