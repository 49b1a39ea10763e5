"""``import_attendance``: paper sign-in sheets of centralised classes.

One row is one person present on one day of a class: it becomes the attendance of
that day's first session (a session is created for a day the class has none) and
its ledger row. ``hours`` sets the hours credited; else ``days`` × the class's hours
per day; else the session's hours. Re-importing a sheet changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from organisation.columns import CLEAR, Column, Date, Number, Ref, Row, Schema
from organisation.models import StaffProfile
from organisation.tabular import ImportSummary, RowError, Table

from .models import Attendance, CentralisedClass, ClassSession
from .services import attendance_record


def sample_codes() -> dict[str, str]:
    """A class and its first day, for the data-import page's sample files."""
    klass = CentralisedClass.objects.order_by("-starts_on").first()
    if klass is None:
        return {}
    return {"classes": klass.code, "class_day": klass.starts_on.isoformat()}


ATTENDANCE_SCHEMA = Schema(
    Column(
        "staff_no",
        Ref("staff", _("no such person on the roster")),
        "工号",
        ("人员编号",),
        required=True,
    ),
    Column(
        "class_code",
        Ref("classes", _("no such class")),
        "培训班代码",
        ("班次代码", "培训班"),
        required=True,
    ),
    Column(
        "date",
        Date(),
        "日期",
        ("签到日期",),
        required=True,
        example=lambda codes: codes.get("class_day") or Date().example(codes),
    ),
    Column("hours", Number(Decimal(0), Decimal(24)), "学时", on_empty=CLEAR),
    Column("days", Number(Decimal(0), Decimal(10)), "天数", on_empty=CLEAR),
    key=["staff_no", "class_code", "date"],
    duplicate=_('"%(key)s" appears twice (also on row %(row)s)'),
    kind="attendance",
)


def _credited(row: Row, klass: CentralisedClass, session_hours: Decimal) -> Decimal:
    if row.get("hours") is not None:
        return row["hours"]
    if row.get("days") is not None:
        return row["days"] * klass.hours_per_day
    return session_hours


def _check_dates(rows: list[Row]) -> list[RowError]:
    errors = []
    for row in rows:
        klass = row["class_code"]
        if not klass.starts_on <= row["date"] <= klass.ends_on:
            errors.append(
                RowError(
                    row.number,
                    "date",
                    _("the class runs from %(start)s to %(end)s")
                    % {"start": klass.starts_on, "end": klass.ends_on},
                )
            )
    return errors


def attendance_import(
    *, table: Table, dry_run: bool = False, progress=None, **options
) -> ImportSummary:
    """Record paper sign-in sheets; all-or-nothing."""
    lookups = {
        "staff": {s.staff_no: s for s in StaffProfile.objects.select_related("unit")},
        "classes": {c.code: c for c in CentralisedClass.objects.all()},
    }
    parsed = ATTENDANCE_SCHEMA.parse(table, lookups)
    parsed.errors += _check_dates(parsed.rows)
    parsed.raise_errors()
    summary = ImportSummary()
    for index, row in enumerate(parsed.rows, start=1):
        klass, staff = row["class_code"], row["staff_no"]
        session = ClassSession.objects.filter(
            klass=klass, on=row["date"]
        ).first() or ClassSession.objects.create(
            klass=klass, on=row["date"], hours=klass.hours_per_day
        )
        hours = _credited(row, klass, session.hours)
        before = (
            Attendance.objects.filter(session=session, staff=staff)
            .values_list("hours", flat=True)
            .first()
        )
        attendance_record(
            session=session, staff=staff, hours=hours, via=Attendance.Via.SHEET
        )
        label = f"{staff.staff_no} · {klass.code} · {row['date']}"
        if before is None:
            summary.record("created", row=row.number, key=label)
        elif before != hours:
            summary.record(
                "updated",
                row=row.number,
                key=label,
                fields={"hours": [str(before), str(hours)]},
            )
        else:
            summary.unchanged += 1
        if progress and index % 200 == 0:
            progress(index, len(parsed.rows))
    return summary
