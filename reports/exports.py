"""Report files: CSV (streamed), XLSX (write-only) and a printable PDF, all matching the
screen, with formula cells neutralised (organisation.tabular)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from learning.campaigns.messages import format_day
from organisation.models import Unit
from organisation.tabular import csv_rows, neutralise

from .selectors import PeopleReader, Report


def status_label(status: str) -> str:
    # A context of their own: the learner's pages call an exemption 已免修, and the
    # first catalogue holding a bare "Exempt" would otherwise win here too.
    return {
        "completed": pgettext("completion status", "Completed"),
        "in_progress": pgettext("completion status", "In progress"),
        "not_started": pgettext("completion status", "Not started"),
        "overdue": pgettext("completion status", "Overdue"),
        "exempt": pgettext("completion status", "Exempt"),
    }.get(status, status)


def late_label() -> str:
    return pgettext("completion status", "Completed late")


def list_title(show: str) -> str:
    """The people list's heading for the chosen filter (全部人员名单, 未完成人员名单 …)."""
    return {
        "not_done": _("List of people not done"),
        "overdue": _("List of people overdue"),
        "not_started": _("List of people not started"),
        "in_progress": _("List of people in progress"),
        "exempt": _("List of people exempt"),
        "completed": _("List of people completed"),
        "all": _("List of all people"),
    }.get(show, _("List of people not done"))


@dataclass(frozen=True)
class Heading:
    """The wording around a report's figures, the same on screen and in every file."""

    title: str  # 《…》完成情况 · unit
    list_title: str  # 未完成人员名单 …
    scope: str  # 单位 · 专项 · 截至日期
    generated: str  # 生成时间 … · 生成人 …
    marking: str  # 内部资料 注意保管


def person_label(user) -> str:
    profile = getattr(user, "profile", None)
    if profile is not None:
        return f"{profile.name}（{profile.staff_no}）"
    return user.get_username() if user is not None else ""


def heading(
    report: Report,
    unit: Unit | None,
    show: str,
    *,
    user=None,
    generated_at: dt.datetime | None = None,
) -> Heading:
    unit_name = scope_name(report, unit)
    generated_at = timezone.localtime(generated_at or timezone.now())
    scope = _("Unit: %(unit)s · Campaign: %(campaign)s (%(code)s) · As of %(day)s") % {
        "unit": unit_name,
        "campaign": report.campaign.title,
        "code": report.campaign.code,
        "day": format_day(report.as_of),
    }
    generated = _("Generated %(when)s") % {
        "when": f"{format_day(generated_at.date())} {generated_at:%H:%M}"
    }
    if user is not None:
        generated += " · " + _("by %(who)s") % {"who": person_label(user)}
    return Heading(
        title=_("%(campaign)s: completion report · %(unit)s")
        % {"campaign": report.campaign.title, "unit": unit_name},
        list_title=list_title(show),
        scope=scope,
        generated=generated,
        marking=_("Internal material, keep safe"),
    )


def scope_name(report: Report, unit: Unit | None) -> str:
    """The unit a document covers; a department with its unit (东江市城关区院·第一检察部),
    since the document travels without the page's breadcrumbs."""
    if unit is None:
        return _("All units")
    return report.display_names.get(unit.code, unit.name)


def file_name(report: Report, unit: Unit | None, show: str, ext: str) -> str:
    """CAMPAIGN-UNIT-LIST-DATE.ext, naming the scope, the chosen list and the date."""
    parts = [
        report.campaign.code,
        scope_name(report, unit),
        list_title(show),
        report.as_of.isoformat(),
    ]
    text = "-".join(parts)
    for bad in '/\\:*?"<>|\r\n\t':
        text = text.replace(bad, "_")
    return f"{text}.{ext}"


def people_headers() -> list[str]:
    return [
        _("Staff number"),
        pgettext("person", "Name"),
        _("Unit code"),
        _("Unit"),
        _("Position"),
        _("Leading cadre"),
        _("Status"),
        _("Progress (%)"),
        _("Due on"),
        _("Completed on"),
    ]


def people_cells(people: Iterable[dict], unit_names: dict[str, str]) -> Iterable[list]:
    yes, no = _("Yes"), _("No")
    for p in people:
        yield _person_cells(p, unit_names, yes, no)


def _person_cells(p: dict, unit_names: dict[str, str], yes: str, no: str) -> list:
    return [
        p["staff_no"],
        p["name"],
        p["unit_code"],
        unit_names.get(p["unit_code"], ""),
        p["position"],
        yes if p["is_leader"] else no,
        status_label(p["status"]),
        p["progress"],
        p["due_on"],
        p["completed_on"] or "",
    ]


def unit_names(report: Report) -> dict[str, str]:
    return {u["unit_code"]: u["unit_name"] for u in report.units}


def csv_stream(report: Report, people: PeopleReader):
    return csv_rows(people_headers(), people_cells(people, unit_names(report)))


def document_people_cells(report: Report, people: Iterable[dict]) -> Iterable[list]:
    """People rows of the documents (XLSX, PDF): the CSV's columns, departments named
    with their unit, and a last column flagging a late completion."""
    yes, no = _("Yes"), _("No")
    names = report.display_names
    for person in people:
        cells = _person_cells(person, names, yes, no)
        yield [*cells, yes if person["late"] else ""]


def document_people_headers() -> list[str]:
    return [*people_headers(), late_label()]


# The screen's table of units ---------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    label: str
    counts: dict
    kind: str  # unit, own, total, leaders
    unit_code: str | None = None

    @property
    def in_audience(self) -> bool:
        return self.kind != "unit" or self.counts["headcount"] > 0


def summary_rows(report: Report, unit: Unit | None) -> list[TableRow]:
    """The table of the page and of every file: the direct sub-units, the people
    attached to the unit itself (本级), the total they add up to, then the leading
    cadres among them (an "of whom" row, not added)."""
    found = [
        TableRow(u["unit_name"], u, "unit", u["unit_code"])
        for u in report.children_of(unit)
    ]
    if unit is None:
        total = report.summary
    else:
        own = report.own(unit.code)
        if own is not None and own["headcount"]:
            found.append(TableRow(_("Staff attached to this unit itself"), own, "own"))
        total = report.by_code[unit.code]
    found.append(TableRow(_("Total"), total, "total"))
    found.append(
        TableRow(_("Of whom leading cadres (关键少数)"), report.leaders, "leaders")
    )
    return found


def unit_headers() -> list[str]:
    return [
        _("Unit"),
        _("Headcount"),
        status_label("completed"),
        _("Of whom completed late"),
        status_label("in_progress"),
        status_label("not_started"),
        status_label("overdue"),
        status_label("exempt"),
        _("Completion rate"),
    ]


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def not_in_audience_label() -> str:
    return _("Not in scope")


def unit_cells(row: dict, label: str | None = None, *, unit: bool = True) -> list:
    """One row of the table; a unit (not a total) with nobody in the audience reads
    不在范围 rather than a rate."""
    rate = rate_text(row["completion_rate"])
    if unit and not row["headcount"]:
        rate = not_in_audience_label()
    return [
        label or row.get("unit_name", ""),
        row["headcount"],
        row["completed"],
        row["completed_late"],
        row["in_progress"],
        row["not_started"],
        row["overdue"],
        row["exempt"],
        rate,
    ]


def table_cells(rows: list[TableRow]) -> list[list]:
    return [unit_cells(r.counts, r.label, unit=r.kind == "unit") for r in rows]


def rate_note() -> str:
    return _(
        "Completion rate = completed ÷ (headcount − exempt). People who completed "
        "after their due date count as completed and are also shown as completed "
        "late. Leading cadres are also counted in their units."
    )


def write_people_xlsx(
    target,
    report: Report,
    people: Iterable[dict],
    *,
    unit: Unit | None = None,
    show: str = "all",
    user=None,
) -> None:
    """Two sheets: the people (header row first, as the CSV, and a 逾期完成 column)
    and the screen's table of units, under the document's heading."""
    from openpyxl import Workbook

    head = heading(report, unit, show, user=user)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(head.list_title))
    _mark_for_print(sheet, head, repeat_header=True)
    sheet.append([neutralise(h) for h in document_people_headers()])
    for row in document_people_cells(report, people):
        sheet.append(["" if v is None else neutralise(v) for v in row])
    summary = workbook.create_sheet(title=_sheet_title(_("Summary by unit")))
    _mark_for_print(summary, head, repeat_header=False)
    for line in (head.title, head.scope, head.generated, head.marking, ""):
        summary.append([neutralise(line)])
    summary.append([neutralise(h) for h in unit_headers()])
    for cells in table_cells(summary_rows(report, unit)):
        summary.append([neutralise(c) for c in cells])
    summary.append([])
    summary.append([neutralise(rate_note())])
    workbook.save(target)


def _sheet_title(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31] or "Sheet1"


def _header_text(text: str) -> str:
    # "&" starts a code in spreadsheet page headers.
    return text.replace("&", "&&")


def _mark_for_print(sheet, head: Heading, *, repeat_header: bool) -> None:
    """Printed pages carry the marking, the title and page numbers."""
    sheet.oddHeader.left.text = _header_text(head.title)
    sheet.oddHeader.right.text = _header_text(head.marking)
    sheet.oddFooter.left.text = _header_text(head.generated)
    # &P and &N are the page number and count.
    sheet.oddFooter.right.text = _("Page &P of &N")
    if repeat_header:
        sheet.print_title_rows = "1:1"


def write_pdf(
    target,
    report: Report,
    *,
    unit: Unit | None,
    show: str,
    people: Iterable[dict],
    user=None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """A printable A4 document: heading, scope and generation lines, the screen's
    table of units, then the chosen list of people; every page carries the marking
    内部资料 注意保管, the title and "page n of m"."""

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, Table

    from config.pdf import cjk_font, page_marks_canvas, pdf_cells, pdf_paragraph

    head = heading(report, unit, show, user=user)
    font = cjk_font()
    title_style = ParagraphStyle(
        "t", fontName=font, fontSize=16, leading=22, alignment=1
    )
    heading_style = ParagraphStyle("h", fontName=font, fontSize=13, leading=18)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    doc = SimpleDocTemplate(
        target,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{head.title} · {head.list_title}",
        author=person_label(user) if user is not None else "",
    )

    summary = report.summary
    story = [
        pdf_paragraph(head.title, title_style),
        Spacer(1, 2 * mm),
        pdf_paragraph(head.scope, body),
        pdf_paragraph(head.generated, body),
        pdf_paragraph(
            _(
                "Headcount %(n)s · completed %(done)s (of whom %(late)s late) · "
                "completion rate %(rate)s"
            )
            % {
                "n": summary["headcount"],
                "done": summary["completed"],
                "late": summary["completed_late"],
                "rate": rate_text(summary["completion_rate"]),
            },
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = summary_rows(report, unit)
    table = [pdf_cells(unit_headers())] + [
        pdf_cells(neutralise(c) for c in r) for r in table_cells(rows)
    ]
    unit_style = style + [
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.8, colors.black),
        ("TEXTCOLOR", (0, len(rows)), (-1, len(rows)), colors.HexColor("#57606a")),
    ]
    story += [
        Table(table, style=unit_style, repeatRows=1, hAlign="LEFT"),
        Spacer(1, 2 * mm),
        pdf_paragraph(rate_note(), body),
        Spacer(1, 6 * mm),
        pdf_paragraph(head.list_title, heading_style),
        Spacer(1, 2 * mm),
    ]
    people_table = [pdf_cells(document_people_headers())]
    count = 0
    for cells in document_people_cells(report, people):
        people_table.append(pdf_cells(neutralise(c) for c in cells))
        count += 1
        if progress and count % 500 == 0:
            progress(count)
    if count:
        story.append(LongTable(people_table, style=style, repeatRows=1, hAlign="LEFT"))
    else:
        story.append(pdf_paragraph(_("Nobody in this list."), body))
    footer = f"{head.title} · {head.list_title}"
    doc.build(
        story,
        canvasmaker=page_marks_canvas(
            font=font,
            marking=head.marking,
            footer=footer,
            page_text=lambda n, total: (
                _("Page %(n)s of %(total)s") % {"n": n, "total": total}
            ),
        ),
    )
    return count
