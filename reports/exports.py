"""Report files: CSV (streamed), XLSX (write-only) and a printable PDF, all matching the
screen, with formula cells neutralised (organisation.tabular)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organisation.tabular import csv_rows, neutralise, write_xlsx

from .selectors import PeopleReader, Report


def status_label(status: str) -> str:
    return {
        "completed": _("Completed"),
        "in_progress": pgettext("learning status", "In progress"),
        "not_started": pgettext("learning status", "Not started"),
        "overdue": _("Overdue"),
        "exempt": _("Exempt"),
    }.get(status, status)


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
        yield [
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


def write_people_xlsx(target, report: Report, people: Iterable[dict]) -> None:
    write_xlsx(
        target,
        people_headers(),
        people_cells(people, unit_names(report)),
        title=report.campaign.code,
    )


def unit_headers() -> list[str]:
    return [
        _("Unit"),
        _("Headcount"),
        _("Completed"),
        pgettext("learning status", "In progress"),
        pgettext("learning status", "Not started"),
        _("Overdue"),
        _("Exempt"),
        _("Completion rate"),
    ]


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def unit_cells(row: dict, label: str | None = None) -> list:
    return [
        label or row.get("unit_name", ""),
        row["headcount"],
        row["completed"],
        row["in_progress"],
        row["not_started"],
        row["overdue"],
        row["exempt"],
        rate_text(row["completion_rate"]),
    ]


def write_pdf(
    target,
    report: Report,
    *,
    title: str,
    unit_rows: list[dict],
    people: Iterable[dict],
    progress: Callable[[int], None] | None = None,
) -> int:
    """A printable A4 report: the unit table, the leaders' row, then people not done."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, Table

    from config.pdf import cjk_font, pdf_cells, pdf_paragraph

    font = cjk_font()
    heading = ParagraphStyle("h", fontName=font, fontSize=15, leading=20)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("REPEATROWS", (0, 0), (-1, 0)),
    ]
    doc = SimpleDocTemplate(
        target,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    summary = report.summary
    story = [
        pdf_paragraph(title, heading),
        pdf_paragraph(
            _(
                "As of %(as_of)s · headcount %(n)s · completed %(done)s · "
                "completion rate %(rate)s"
            )
            % {
                "as_of": report.as_of.isoformat(),
                "n": summary["headcount"],
                "done": summary["completed"],
                "rate": rate_text(summary["completion_rate"]),
            },
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    table = [pdf_cells(unit_headers())] + [
        pdf_cells(neutralise(c) for c in unit_cells(r)) for r in unit_rows
    ]
    table.append(pdf_cells(unit_cells(report.leaders, _("Leading cadres (关键少数)"))))
    story += [Table(table, style=style, repeatRows=1), Spacer(1, 6 * mm)]
    story.append(pdf_paragraph(_("People not done"), heading))
    people_table = [pdf_cells(people_headers())]
    count = 0
    for cells in people_cells(people, unit_names(report)):
        people_table.append(pdf_cells(neutralise(c) for c in cells))
        count += 1
        if progress and count % 500 == 0:
            progress(count)
    story.append(LongTable(people_table, style=style, repeatRows=1))
    doc.build(story)
    return count
