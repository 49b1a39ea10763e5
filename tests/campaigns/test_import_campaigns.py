"""import_campaigns and import_completions: all-or-nothing, row/column errors, upserts."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from learning.campaigns.models import Campaign
from learning.models import CourseCompletion
from tests.factories import StaffFactory

from .factories import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(reference_data, tree):
    return make_course(reference_data, "LAW-101"), make_course(
        reference_data, "CRM-201"
    )


def run(command, path, *extra):
    out, err = StringIO(), StringIO()
    try:
        call_command(command, str(path), "--json", *extra, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, json.loads(out.getvalue()), err.getvalue()


PLAN = (
    "code,title,courses,units,business_lines,positions,leaders_only,starts_on,due_on,recurrence\n"
    "LAW-2026,社会主义法治教育,LAW-101,,,,,2026-01-01,2026-12-31,annual\n"
    "CRM-2026,认罪认罚培训,CRM-201;LAW-101,C1;G3,ordinary_crime;economic_crime,检察官,否,2026-02-01,30,none\n"
)


def test_it_imports_a_years_plan_and_reimporting_changes_nothing(courses, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")

    code, summary, _err = run("import_campaigns", path)
    assert code == 0 and summary["created"] == 2
    crm = Campaign.objects.get(code="CRM-2026")
    assert crm.due_days == 30 and crm.due_on is None
    assert sorted(crm.units.values_list("code", flat=True)) == ["C1", "G3"]
    assert crm.positions == ["检察官"]
    assert Campaign.objects.get(code="LAW-2026").recurrence == "annual"

    code, summary, _err = run("import_campaigns", path)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2)


def test_it_reads_gb18030(courses, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(PLAN.encode("gb18030"))
    assert run("import_campaigns", path)[0] == 0
    assert Campaign.objects.get(code="LAW-2026").title == "社会主义法治教育"


def test_a_bad_file_writes_nothing_and_names_every_error(courses, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "code,title,courses,units,due_on,recurrence\n"
        "OK-1,好的,LAW-101,,2026-12-31,none\n"
        "BAD-1,,NOPE-1,ZZ9,2026-13-01,weekly\n",
        encoding="utf-8",
    )
    code, summary, err = run("import_campaigns", path)

    assert code == 1
    assert not Campaign.objects.exists()
    columns = {(e["row"], e["column"]) for e in summary["errors"]}
    assert {(3, "title"), (3, "courses"), (3, "units"), (3, "due_on")} <= columns
    assert (3, "recurrence") in columns


def test_dry_run_validates_and_writes_nothing(courses, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    code, summary, _err = run("import_campaigns", path, "--dry-run")
    assert code == 0 and summary["created"] == 2 and summary["dry_run"] is True
    assert not Campaign.objects.exists()


def test_offline_completions_are_recorded_once_per_course_version(
    courses, tree, tmp_path
):
    person = StaffFactory(unit=tree["G1"], staff_no="J1")
    path = tmp_path / "done.csv"
    path.write_text(
        "staff_no,course_code,completed_on,score\nJ1,LAW-101,2026-04-01,95\n",
        encoding="utf-8",
    )
    assert run("import_completions", path)[1]["created"] == 1
    assert run("import_completions", path)[1]["unchanged"] == 1
    completion = CourseCompletion.objects.get(user=person.user)
    assert completion.source == "offline" and completion.version == 1


def test_offline_completions_refuse_unknown_people_and_courses(courses, tmp_path):
    path = tmp_path / "done.csv"
    path.write_text(
        "staff_no,course_code,completed_on\nNOBODY,LAW-101,2026-04-01\n"
        "NOBODY,NOPE,someday\n",
        encoding="utf-8",
    )
    code, summary, _err = run("import_completions", path)
    assert code == 1 and not CourseCompletion.objects.exists()
    assert {(e["row"], e["column"]) for e in summary["errors"]} == {
        (2, "staff_no"),
        (3, "staff_no"),
        (3, "course_code"),
        (3, "completed_on"),
    }
