"""Campaigns and completions: absent columns untouched, Chinese headers, sources."""

from decimal import Decimal

import pytest

from learning.campaigns.importers import infer_kind
from learning.campaigns.models import Campaign
from learning.models import CourseCompletion
from tests.factories import StaffFactory

from .test_import_campaigns import PLAN, courses, run  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_partial_campaign_file_keeps_the_columns_it_does_not_carry(
    courses,  # noqa: F811
    tmp_path,
):
    full = tmp_path / "plan.csv"
    full.write_text(PLAN, encoding="utf-8")
    run("import_campaigns", full)
    partial = tmp_path / "titles.csv"
    partial.write_text(
        "任务代码,任务名称,课程代码\nCRM-2026,认罪认罚从宽制度培训,CRM-201;LAW-101\n",
        encoding="utf-8",
    )
    code, summary, _err = run("import_campaigns", partial)
    assert code == 0 and summary["updated"] == 1
    assert summary["changes"][0]["fields"] == {
        "title": ["认罪认罚培训", "认罪认罚从宽制度培训"]
    }
    crm = Campaign.objects.get(code="CRM-2026")
    assert crm.title == "认罪认罚从宽制度培训"
    assert crm.due_days == 30 and crm.positions == ["检察官"]
    assert sorted(crm.units.values_list("code", flat=True)) == ["C1", "G3"]
    assert sorted(crm.business_lines.values_list("code", flat=True)) == [
        "economic_crime",
        "ordinary_crime",
    ]
    assert crm.starts_on.isoformat() == "2026-02-01"


def test_a_new_campaign_still_needs_a_due_date(courses, tmp_path):  # noqa: F811
    path = tmp_path / "plan.csv"
    path.write_text("code,title,courses\nNEW-1,新任务,LAW-101\n", encoding="utf-8")
    code, summary, _err = run("import_campaigns", path)
    assert code == 1 and summary["errors"][0]["column"] == "due_on"
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("线下集中培训", "offline"),
        ("面授", "offline"),
        ("网络学院", "online"),
        ("线上直播", "online"),
        ("省院业务培训班", "offline"),
    ],
)
def test_the_kind_is_inferred_from_the_source_as_written(source, kind):
    assert infer_kind(source) == kind


def test_offline_sources_are_kept_as_written_and_the_kind_can_be_set(
    courses,  # noqa: F811
    tree,
    tmp_path,
):
    one = StaffFactory(unit=tree["G1"], staff_no="J1")
    two = StaffFactory(unit=tree["G1"], staff_no="J2")
    path = tmp_path / "done.csv"
    path.write_text(
        "工号,课程代码,完成日期,培训形式,线上线下,学时\n"
        "J1,LAW-101,2026-04-01,线下集中培训,,8\n"
        "J2,LAW-101,2026-04-02,省检察官学院,线上,\n",
        encoding="utf-8",
    )
    code, summary, _err = run("import_completions", path)
    assert code == 0 and summary["created"] == 2
    first = CourseCompletion.objects.get(user=one.user)
    assert (first.source_text, first.source, first.hours) == (
        "线下集中培训",
        "offline",
        Decimal("8"),
    )
    second = CourseCompletion.objects.get(user=two.user)
    assert (second.source_text, second.source) == ("省检察官学院", "online")


def test_a_completion_file_without_score_keeps_the_stored_score(
    courses,  # noqa: F811
    tree,
    tmp_path,
):
    person = StaffFactory(unit=tree["G1"], staff_no="J1")
    path = tmp_path / "a.csv"
    path.write_text(
        "staff_no,course_code,completed_on,score\nJ1,LAW-101,2026-04-01,95\n",
        encoding="utf-8",
    )
    run("import_completions", path)
    path.write_text(
        "staff_no,course_code,completed_on\nJ1,LAW-101,2026-04-03\n", encoding="utf-8"
    )
    code, summary, _err = run("import_completions", path)
    assert code == 0 and summary["updated"] == 1
    completion = CourseCompletion.objects.get(user=person.user)
    assert completion.score == Decimal(95)
    assert completion.completed_on.isoformat() == "2026-04-03"


def test_an_impossible_completion_date_is_named(courses, tree, tmp_path):  # noqa: F811
    StaffFactory(unit=tree["G1"], staff_no="J1")
    path = tmp_path / "a.csv"
    path.write_text(
        "staff_no,course_code,completed_on\nJ1,LAW-101,2026-02-30\n", encoding="utf-8"
    )
    code, summary, _err = run("import_completions", path)
    assert code == 1
    assert "2026-02-30" in summary["errors"][0]["message"]
    assert summary["errors"][0]["column"] == "completed_on"
