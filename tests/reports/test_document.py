"""The completion report as a document: every table adds up to its total (本级 row),
late completions are flagged and counted as completed, headings and file names follow
the chosen list and scope, and every export carries the same wording."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports, selectors
from reports.models import ReportExport
from tests.campaigns.factories import complete, make_campaign, make_course
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=60)
DUE = TODAY - dt.timedelta(days=10)
COUNTS = selectors.COUNT_KEYS


@pytest.fixture
def campaign(reference_data, tree):
    """People at every level, some attached to a unit itself (本级); completions on
    time, late (after the due date) and before the campaign started."""
    course = make_course(reference_data, "LAW-D")
    placed = {
        "P": 2,
        "C1": 3,
        "G1": 2,
        "G1-D1": 4,
        "G2": 2,
        "C2": 1,
        "G3": 3,
    }
    n = 0
    for code, count in placed.items():
        for i in range(count):
            person = StaffFactory(
                unit=tree[code], staff_no=f"S{n:03d}", name=f"人员{n}", is_leader=i == 0
            )
            kind = n % 4
            if kind == 1:
                complete(person.user, course, START + dt.timedelta(days=5))
            elif kind == 2:
                complete(person.user, course, DUE + dt.timedelta(days=3))  # late
            elif kind == 3:
                complete(person.user, course, START - dt.timedelta(days=30))
            n += 1
    made = make_campaign([course], code="LAW-D", starts_on=START, due_on=DUE)
    made.course = course
    return made


def _sum_rows(rows, key):
    return sum(r.counts[key] for r in rows if r.kind in ("unit", "own"))


@pytest.mark.parametrize("code", ["P", "C1", "G1"])
def test_the_unit_table_adds_up_to_its_total_at_each_level(campaign, tree, code):
    report = selectors.campaign_report(campaign, unit=tree[code], as_of=TODAY)
    rows = exports.summary_rows(report, tree[code])
    total = next(r for r in rows if r.kind == "total").counts
    assert total["headcount"] == report.by_code[code]["headcount"] > 0
    for key in COUNTS:
        assert _sum_rows(rows, key) == total[key], key
    # People attached to the unit itself have a row of their own.
    own = [r for r in rows if r.kind == "own"]
    assert len(own) == 1 and own[0].label == "本级机关直属人员"


def test_a_late_completion_counts_as_completed_and_is_flagged(campaign, tree):
    report = selectors.campaign_report(campaign, unit=tree["P"], as_of=TODAY)
    people = list(selectors.campaign_people(report))
    late = [p for p in people if p["late"]]
    assert late and all(p["status"] == "completed" for p in late)
    assert all(p["completed_on"] > p["due_on"] for p in late)
    assert report.summary["completed_late"] == len(late)
    completed = [p for p in people if p["status"] == "completed"]
    assert report.summary["completed"] == len(completed)
    expected = len(completed) / (len(people) - report.summary["exempt"])
    assert report.summary["completion_rate"] == round(expected, 4)


def test_the_command_json_keeps_every_key_and_adds_the_late_figures(campaign, tmp_path):
    out = tmp_path / "r.json"
    call_command(
        "completion_report",
        "--campaign",
        "LAW-D",
        "--as-of",
        TODAY.isoformat(),
        "--format",
        "json",
        "--output",
        str(out),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {
        "headcount",
        "completed",
        "in_progress",
        "not_started",
        "overdue",
        "exempt",
        "completion_rate",
        "completed_late",
    } <= set(data["summary"])
    assert "completed_late" in data["units"][0]
    person = data["people"][0]
    assert set(selectors.PEOPLE_KEYS) <= set(person)
    assert {p["status"] for p in data["people"]} <= set(selectors.STATUSES)
    assert sum(p["late"] for p in data["people"]) == data["summary"]["completed_late"]


def test_departments_are_named_with_their_unit_in_lists_across_units(
    client, campaign, leadership
):
    client.force_login(leadership)
    html = client.get(
        reverse("reports:campaign_unit", args=["LAW-D", "P"]) + "?show=all"
    ).content.decode()
    assert "甲区院·第一检察部" in html


def test_units_outside_the_audience_are_left_out_of_the_chart(
    client, reference_data, tree, leadership
):
    course = make_course(reference_data, "LAW-C1")
    StaffFactory(unit=tree["G1"], staff_no="IN1")
    StaffFactory(unit=tree["G3"], staff_no="OUT1")
    made = make_campaign([course], code="LAW-C1", starts_on=START, due_on=DUE)
    made.units.set([tree["C1"]])
    client.force_login(leadership)
    response = client.get(reverse("reports:campaign_unit", args=["LAW-C1", "P"]))
    chart = response.context["chart"]["units"]
    assert [u["name"] for u in chart] == ["一市院"]
    html = response.content.decode()
    assert "不在范围" in html and "二市院" in html


def test_the_page_offers_an_as_of_date_and_follows_it(client, campaign, leadership):
    client.force_login(leadership)
    url = reverse("reports:campaign_unit", args=["LAW-D", "P"])
    html = client.get(url).content.decode()
    assert 'type="date" id="as_of" name="as_of"' in html
    before = client.get(url + f"?as_of={(DUE - dt.timedelta(days=1)).isoformat()}")
    # Before the due date no completion can be late, and nobody is overdue yet.
    assert before.context["report"].summary["completed_late"] == 0
    assert before.context["report"].summary["overdue"] == 0


def test_the_list_heading_follows_the_filter_on_screen(client, campaign, leadership):
    client.force_login(leadership)
    url = reverse("reports:campaign_unit", args=["LAW-D", "P"])
    assert "未完成人员名单" in client.get(url).content.decode()
    html = client.get(url + "?show=all").content.decode()
    assert "全部人员名单" in html and "内部资料 注意保管" in html
    assert "逾期完成" in html


def test_pagers_and_status_words_use_the_reports_wording(client, campaign, leadership):
    for n in range(60):
        StaffFactory(unit=campaign_unit(campaign), staff_no=f"X{n:03d}")
    client.force_login(leadership)
    url = reverse("reports:campaign_unit", args=["LAW-D", "P"]) + "?show=all&page=2"
    html = client.get(url).content.decode()
    assert "上一页" in html and "上一课时" not in html
    assert "免训" in html and "已免修" not in html


def campaign_unit(campaign):
    from organisation.models import Unit

    return Unit.objects.get(code="G2")


def test_the_csv_keeps_its_columns_and_is_named_for_the_list(
    client, campaign, leadership
):
    client.force_login(leadership)
    response = client.get(
        reverse("reports:people_csv", args=["LAW-D", "C1"]) + "?show=all"
    )
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition and "filename*=utf-8''" in disposition
    assert "%E5%85%A8%E9%83%A8%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95" in disposition
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == (
        "工号,姓名,单位编码,单位,岗位,领导干部,状态,进度（%）,截止日期,完成日期"
    )


def _export(client, unit, fmt, show, callbacks):
    with callbacks(execute=True):
        client.post(
            reverse("reports:export_create", args=["LAW-D", unit]),
            {"format": fmt, "show": show},
        )
    export = ReportExport.objects.latest("pk")
    assert export.status == "done", export.error
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    return export, b"".join(response.streaming_content)


@pytest.mark.parametrize("code", ["P", "C1", "G1"])
def test_the_xlsx_has_the_people_and_a_summary_that_adds_up(
    client, campaign, leadership, code, django_capture_on_commit_callbacks
):
    client.force_login(leadership)
    _e, body = _export(client, code, "xlsx", "all", django_capture_on_commit_callbacks)
    book = load_workbook(io.BytesIO(body))
    people, summary = book.worksheets
    assert people.title == "全部人员名单"
    header = [c.value for c in next(people.iter_rows(max_row=1))]
    assert header[:2] == ["工号", "姓名"] and header[-1] == "逾期完成"
    assert people.oddHeader.right.text == "内部资料 注意保管"

    lines = [r for r in summary.iter_rows(values_only=True)]
    assert lines[3][0] == "内部资料 注意保管"
    start = next(i for i, r in enumerate(lines) if r[0] == "单位") + 1
    table = []
    for row in lines[start:]:
        if row[0] == "合计":
            total = row
            break
        table.append(row)
    assert any(r[0] == "本级机关直属人员" for r in table)
    for column in range(1, 8):
        assert sum(r[column] for r in table) == total[column]
    assert total[1] == people.max_row - 1


def _pdf_text(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


@pytest.mark.parametrize(
    "show,title", [("all", "全部人员名单"), ("not_done", "未完成人员名单")]
)
def test_the_pdf_heading_follows_the_list_and_every_page_is_marked(
    client, campaign, leadership, show, title, django_capture_on_commit_callbacks
):
    for n in range(80):
        StaffFactory(unit=campaign_unit(campaign), staff_no=f"Y{n:03d}")
    client.force_login(leadership)
    export, body = _export(client, "P", "pdf", show, django_capture_on_commit_callbacks)
    assert title in export.filename
    pages = _pdf_text(body)
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert "内部资料 注意保管" in text
        assert f"第{n}页，共{len(pages)}页" in text
    first = pages[0]
    assert title in first and "省院领导（LD001）" in first and "生成时间" in first
    assert "本级机关直属人员" in first and "其中：领导干部（关键少数）" in first
    other = "未完成人员名单" if show == "all" else "全部人员名单"
    assert other not in "".join(pages)


def test_the_campaign_address_keeps_the_chosen_list_and_date(
    client, campaign, leadership
):
    client.force_login(leadership)
    response = client.get(
        reverse("reports:campaign", args=["LAW-D"]) + "?show=all&as_of=2026-01-05"
    )
    assert response["Location"] == (
        reverse("reports:campaign_unit", args=["LAW-D", "P"])
        + "?show=all&as_of=2026-01-05"
    )


def test_the_index_card_counts_late_completions_as_the_report_does(
    client, campaign, leadership, tree
):
    summary = selectors.campaign_summary(campaign, user=leadership, as_of=TODAY)
    report = selectors.campaign_report(campaign, unit=tree["P"], as_of=TODAY)
    assert summary["completed_late"] == report.summary["completed_late"] > 0
    client.force_login(leadership)
    html = client.get(reverse("reports:index")).content.decode()
    assert f"其中逾期完成{summary['completed_late']}人" in html


def test_only_units_read_not_in_scope_never_the_total_or_leaders(
    client, reference_data, tree, leadership
):
    course = make_course(reference_data, "LAW-N")
    StaffFactory(unit=tree["G1"], staff_no="N1", is_leader=False)
    made = make_campaign([course], code="LAW-N", starts_on=START, due_on=DUE)
    made.units.set([tree["C1"]])
    made = type(made).objects.get(pk=made.pk)  # rules are cached on the instance
    report = selectors.campaign_report(made, unit=tree["P"], as_of=TODAY)
    cells = exports.table_cells(exports.summary_rows(report, tree["P"]))
    by_label = {row[0]: row[-1] for row in cells}
    assert by_label["二市院"] == "不在范围"
    assert by_label["合计"] == "0.0%"
    assert by_label["其中：领导干部（关键少数）"] == "—"


def test_a_department_document_names_its_unit(client, campaign, leadership, tree):
    report = selectors.campaign_report(campaign, unit=tree["G1-D1"], as_of=TODAY)
    head = exports.heading(report, tree["G1-D1"], "all")
    assert "甲区院·第一检察部" in head.title
    assert "甲区院·第一检察部" in exports.file_name(report, tree["G1-D1"], "all", "pdf")
