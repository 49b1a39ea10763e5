"""Demo hours: a centralised class at the demo unit with today's session, a year of
credited hours across the province, a promotion and an exemption (idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from learning.models import CourseCompletion
from organisation.models import StaffProfile, Unit

from .models import (
    Attendance,
    CentralisedClass,
    ClassSession,
    HoursExemption,
    LedgerEntry,
    PostChange,
)
from .services import attendance_record, ledger_credit_completions

DEMO_CLASS = "BJ-DEMO-01"
DEMO_UNIT = "G0101"


def _class(today: dt.date) -> CentralisedClass | None:
    unit = Unit.objects.filter(code=DEMO_UNIT).first()
    if unit is None:
        return None
    klass, created = CentralisedClass.objects.get_or_create(
        code=DEMO_CLASS,
        defaults={
            "title": "检察业务骨干集中培训班",
            "organiser": unit,
            "starts_on": today - dt.timedelta(days=2),
            "ends_on": today + dt.timedelta(days=2),
            "rule_rank_category": "general",
        },
    )
    if created:
        klass.rule_units.add(unit)
        for n in range(5):
            ClassSession.objects.create(
                klass=klass,
                on=klass.starts_on + dt.timedelta(days=n),
                title=f"第{n + 1}天",
                hours=Decimal("7.5"),
            )
    return klass


def _ranks(rng: random.Random) -> None:
    StaffProfile.objects.filter(rank_category="", is_leader=True).update(
        rank_category="leading"
    )
    StaffProfile.objects.filter(rank_category="").update(rank_category="general")


def _ledger(rng: random.Random, today: dt.date) -> int:
    if LedgerEntry.objects.filter(source=LedgerEntry.Source.MANUAL).exists():
        return 0
    entries = []
    staff = StaffProfile.objects.filter(active=True).values_list(
        "id", "rank_category", "staff_no"
    )
    for staff_id, rank, staff_no in staff:
        if staff_no == "A00005":
            continue  # the demo learner earns their hours in the demo itself
        for year in range(today.year - (4 if rank == "leading" else 0), today.year + 1):
            last = today if year == today.year else dt.date(year, 12, 31)
            days = (last - dt.date(year, 1, 1)).days
            hours = Decimal(rng.choice([0, 16, 32, 60, 90, 105, 120]))
            if rank == "leading":
                hours = Decimal(rng.choice([40, 80, 110, 130]))
            if hours:
                entries.append(
                    LedgerEntry(
                        staff_id=staff_id,
                        on=dt.date(year, 1, 1)
                        + dt.timedelta(days=rng.randint(0, days)),
                        hours=hours,
                        kind="centralised",
                        source=LedgerEntry.Source.MANUAL,
                        title="省院业务培训班（补录）",
                        reason="纸质结业证书补录",
                    )
                )
        online = Decimal(rng.choice([0, 12, 24, 36, 44, 50]))
        if online:
            entries.append(
                LedgerEntry(
                    staff_id=staff_id,
                    on=today - dt.timedelta(days=rng.randint(1, 200)),
                    hours=online,
                    kind="online",
                    source=LedgerEntry.Source.MANUAL,
                    title="中国检察教育培训网络学院（补录）",
                    reason="网络学院学时导出补录",
                )
            )
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def _attendance(klass: CentralisedClass, today: dt.date) -> None:
    people = StaffProfile.objects.filter(
        unit__path__startswith=klass.organiser.path, rank_category="general"
    ).exclude(staff_no="A00005")[:12]
    for session in klass.sessions.filter(on__lt=today):
        for staff in people:
            attendance_record(
                session=session,
                staff=staff,
                hours=session.hours,
                via=Attendance.Via.SHEET,
            )


def seed(*, stdout=None) -> None:
    rng = random.Random(2026)
    today = timezone.localdate()
    _ranks(rng)
    ledger_credit_completions(
        completion_ids=list(CourseCompletion.objects.values_list("id", flat=True))
    )
    added = _ledger(rng, today)
    klass = _class(today)
    if klass is not None:
        _attendance(klass, today)
    lead = StaffProfile.objects.filter(staff_no="A00004").first()
    if lead is not None:
        PostChange.objects.get_or_create(
            staff=lead,
            trigger="chief",
            defaults={"on": dt.date(today.year - 1, today.month, 1)},
        )
    other = StaffProfile.objects.filter(unit__code=DEMO_UNIT).exclude(
        staff_no__startswith="A0000"
    )
    sick = other.order_by("staff_no").last()
    if sick is not None and not HoursExemption.objects.filter(staff=sick).exists():
        HoursExemption.objects.create(
            staff=sick,
            starts_on=dt.date(today.year, 3, 1),
            ends_on=dt.date(today.year, 9, 30),
            reason="长期病假",
        )
    if stdout:
        stdout.write(
            f"hours: {LedgerEntry.objects.count()} ledger entries ({added} new), "
            f"class {DEMO_CLASS}"
        )
