"""Files of the hours report: people rows as CSV/XLSX, a printable PDF, the upward
report to the unit above and the person's 个人教育培训档案. Every cell goes through
organisation.tabular's neutralising writers; every PDF text through config.pdf."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from learning.campaigns.messages import format_day
from organisation.models import StaffProfile
from organisation.tabular import csv_rows, neutralise, write_xlsx

from .compliance import Standing
from .selectors import HoursReport


def status_label(status: str) -> str:
    return {
        "met": pgettext("hours status", "Met"),
        "not_met": pgettext("hours status", "Not met"),
        "exempt": pgettext("hours status", "Exempt"),
    }.get(status, status)


def rank_label(rank: str) -> str:
    return {
        "general": pgettext("rank category", "General"),
        "leading": pgettext("rank category", "Leading"),
    }.get(rank, rank)


def kind_label(kind: str) -> str:
    return {
        "online": pgettext("training kind", "Online self-study"),
        "centralised": pgettext("training kind", "Centralised training"),
    }.get(kind, kind)


def trigger_label(trigger: str) -> str:
    return {
        "senior_prosecutor": _("Promotion to senior prosecutor"),
        "chief": _("New chief or deputy chief procurator"),
    }.get(trigger, trigger)


def people_headers() -> list[str]:
    return [
        _("Staff number"),
        pgettext("person", "Name"),
        _("Unit code"),
        _("Rank category"),
        _("Online hours"),
        _("Online hours required"),
        _("Centralised hours"),
        _("Centralised hours required"),
        _("Centralised window"),
        _("Status"),
    ]


def _window(p: dict) -> str:
    window = p["centralised_window"]
    if not window:
        return ""
    return str(window[0]) if window[0] == window[1] else f"{window[0]}–{window[1]}"


def people_cells(people: Iterable[dict]) -> Iterable[list]:
    for p in people:
        yield [
            p["staff_no"],
            p["name"],
            p["unit_code"],
            rank_label(p["rank_category"]),
            p["online_hours"],
            p["online_required"],
            p["centralised_hours"],
            p["centralised_required"],
            _window(p),
            status_label(p["status"]),
        ]


def csv_stream(report: HoursReport):
    return csv_rows(people_headers(), people_cells(report.people))


def write_people_xlsx(target, report: HoursReport) -> None:
    write_xlsx(
        target,
        people_headers(),
        people_cells(report.people),
        title=_("Hours %(year)s") % {"year": report.year},
    )


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def unit_headers() -> list[str]:
    return [
        _("Unit"),
        _("Headcount"),
        pgettext("hours status", "Met"),
        pgettext("hours status", "Not met"),
        pgettext("hours status", "Exempt"),
        _("Share met"),
    ]


def unit_cells(rows: Iterable[dict]) -> list[list]:
    return [
        [
            r["unit_name"],
            r["headcount"],
            r["met"],
            r["not_met"],
            r["exempt"],
            rate_text(r["met_rate"]),
        ]
        for r in rows
    ]


def upward_headers() -> list[str]:
    return [
        _("Unit code"),
        _("Unit"),
        _("Headcount"),
        pgettext("hours status", "Met"),
        pgettext("hours status", "Not met"),
        pgettext("hours status", "Exempt"),
        _("Share met"),
        _("Online hours (total)"),
        _("Centralised hours in the year (total)"),
    ]


def upward_cells(rows: list[dict]) -> list[list]:
    """A unit's summary in the layout a lower unit sends up: one row per unit given,
    with the hours of the year summed over its subtree (the report's unit totals)."""
    return [
        [
            r["unit_code"],
            r["unit_name"],
            r["headcount"],
            r["met"],
            r["not_met"],
            r["exempt"],
            rate_text(r["met_rate"]),
            round(r["online_hours"], 1),
            round(r["centralised_year_hours"], 1),
        ]
        for r in rows
    ]


def write_upward_xlsx(target, report: HoursReport, rows: list[dict]) -> None:
    write_xlsx(
        target,
        upward_headers(),
        upward_cells(rows),
        title=_("Hours report %(year)s") % {"year": report.year},
    )


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    from config.pdf import cjk_font

    font = cjk_font()
    return font, {
        "title": ParagraphStyle(
            "t", fontName=font, fontSize=16, leading=22, alignment=1
        ),
        "heading": ParagraphStyle("h", fontName=font, fontSize=12, leading=17),
        "body": ParagraphStyle("b", fontName=font, fontSize=9, leading=13),
    }


def _table(rows: list[list], font: str, *, align_right_from: int = 1):
    from reportlab.lib import colors
    from reportlab.platypus import LongTable

    from config.pdf import pdf_cells

    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (align_right_from, 1), (-1, -1), "RIGHT"),
    ]
    data = [pdf_cells(neutralise(c) for c in row) for row in rows]
    return LongTable(data, style=style, repeatRows=1, hAlign="LEFT")


def _build(doc, story, *, font: str, footer: str) -> None:
    from config.pdf import page_marks_canvas

    doc.build(
        story,
        canvasmaker=page_marks_canvas(
            font=font,
            marking=_("Internal. Keep safe."),
            footer=footer,
            page_text=lambda n, total: (
                _("Page %(n)s of %(total)s") % {"n": n, "total": total}
            ),
        ),
    )


def _generated(user) -> str:
    profile = getattr(user, "profile", None)
    who = profile.name if profile is not None else getattr(user, "username", "")
    return _("Generated %(when)s by %(who)s") % {
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "who": who,
    }


def write_report_pdf(
    target, report: HoursReport, *, title: str, rows: list[dict], user
) -> None:
    """The screen's table of units and the list of people, on A4 landscape pages."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from config.pdf import pdf_paragraph

    font, st = _styles()
    doc = SimpleDocTemplate(
        target,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
    )
    summary = report.summary
    story = [
        pdf_paragraph(title, st["title"]),
        Spacer(1, 2 * mm),
        pdf_paragraph(
            _("As of %(day)s") % {"day": format_day(report.as_of)}, st["body"]
        ),
        pdf_paragraph(_generated(user), st["body"]),
        pdf_paragraph(
            _("Headcount %(n)s · met %(met)s · share met %(rate)s")
            % {
                "n": summary["headcount"],
                "met": summary["met"],
                "rate": rate_text(summary["met_rate"]),
            },
            st["body"],
        ),
        Spacer(1, 4 * mm),
        _table([unit_headers(), *unit_cells(rows)], font),
        Spacer(1, 6 * mm),
    ]
    if report.people:
        story.append(
            _table(
                [people_headers(), *people_cells(report.people)],
                font,
                align_right_from=4,
            )
        )
    _build(doc, story, font=font, footer=title)


def write_archive_pdf(
    target,
    *,
    staff: StaffProfile,
    years: list[tuple[int, Standing]],
    entries: list,
    user,
) -> None:
    """个人教育培训档案: the person, their standing year by year and every credited item."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from config.pdf import pdf_paragraph

    font, st = _styles()
    title = _("Personal education and training record")
    doc = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{title} · {staff.name}",
    )
    first, last = years[-1][0], years[0][0]
    story = [
        pdf_paragraph(title, st["title"]),
        Spacer(1, 3 * mm),
        _table(
            [
                [
                    pgettext("person", "Name"),
                    _("Staff number"),
                    _("Unit"),
                    _("Position"),
                    _("Rank category"),
                ],
                [
                    staff.name,
                    staff.staff_no,
                    staff.unit.name,
                    staff.position,
                    rank_label(staff.rank_category or "general"),
                ],
            ],
            font,
            align_right_from=5,
        ),
        Spacer(1, 2 * mm),
        pdf_paragraph(
            _("Years %(first)s–%(last)s · %(generated)s")
            % {"first": first, "last": last, "generated": _generated(user)},
            st["body"],
        ),
        Spacer(1, 4 * mm),
        pdf_paragraph(pgettext("hours", "Requirements"), st["heading"]),
        Spacer(1, 2 * mm),
        _table(
            [
                [
                    _("Year"),
                    pgettext("hours", "Requirement"),
                    pgettext("hours", "Hours"),
                    pgettext("hours", "Required"),
                    _("Status"),
                ],
                *_standing_rows(years),
            ],
            font,
            align_right_from=2,
        ),
        Spacer(1, 5 * mm),
        pdf_paragraph(_("Credited training"), st["heading"]),
        Spacer(1, 2 * mm),
    ]
    if entries:
        story.append(
            _table(
                [
                    [
                        pgettext("hours", "Date"),
                        pgettext("hours", "Item"),
                        pgettext("hours", "Kind"),
                        pgettext("hours", "Hours"),
                    ],
                    *[
                        [
                            format_day(e.on),
                            e.title,
                            kind_label(e.kind),
                            float(e.hours),
                        ]
                        for e in entries
                    ],
                ],
                font,
                align_right_from=3,
            )
        )
    else:
        story.append(pdf_paragraph(_("Nothing credited in these years."), st["body"]))
    _build(doc, story, font=font, footer=f"{title} · {staff.name}")


def _standing_rows(years: list[tuple[int, Standing]]) -> list[list]:
    rows = []
    for year, standing in years:
        for line in standing.lines:
            name = kind_label(line.kind)
            if line.trigger:
                name = f"{trigger_label(line.trigger)} ({format_day(line.event_on)})"
            elif line.window and line.window[0] != line.window[1]:
                name = f"{name} {line.window[0]}–{line.window[1]}"
            if line.exempt:
                status = pgettext("hours status", "Exempt")
            else:
                status = status_label("met" if line.met else "not_met")
            rows.append([year, name, float(line.hours), float(line.required), status])
    return rows


def archive_file_name(staff: StaffProfile, year: int) -> str:
    prefix = _("Training record")
    return f"{prefix}-{staff.staff_no}-{year}.pdf"


def report_file_name(year: int, unit_code: str, ext: str) -> str:
    stamp = dt.date.today().strftime("%Y%m%d")
    prefix = _("Training hours")
    return f"{prefix}-{year}-{unit_code}-{stamp}.{ext}"
