"""Demo campaigns: LAW-2026 for everyone and CRM-2026 for the criminal business lines,
with offline training records, a few exemptions and reminders (idempotent)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from learning.models import CourseCompletion, CoursePage
from organisation.importing import run_import
from organisation.models import BusinessLine, StaffProfile
from organisation.tabular import Table

from .importers import completions_import
from .models import Campaign, Reminder
from .reminders import iso_week, reminder_deliver
from .selectors import person_status
from .services import campaign_create, exemption_grant

EXEMPTIONS = [
    ("长期病假", "政治部 王主任", None),
    ("借调至最高人民检察院", "政治部 王主任", None),
    ("产假", "政治部 王主任", 120),
    ("援疆挂职", "政治部 刘副主任", 200),
    ("长期病假", "政治部 刘副主任", -10),  # expired: counts again
    ("借调至省委巡视组", "政治部 王主任", 60),
]


def _law(today: dt.date, courses: dict[str, CoursePage]) -> Campaign | None:
    campaign = Campaign.objects.filter(code="LAW-2026").first()
    if campaign is None and "LAW-101" in courses:
        campaign = campaign_create(
            code="LAW-2026",
            title="社会主义法治教育",
            courses=[courses["LAW-101"]],
            starts_on=today - dt.timedelta(days=90),
            due_on=today + dt.timedelta(days=21),
            recurrence="annual",
        )
    return campaign


def _crm(today: dt.date, courses: dict[str, CoursePage]) -> Campaign | None:
    campaign = Campaign.objects.filter(code="CRM-2026").first()
    if campaign is None and "CRM-201" in courses:
        campaign = campaign_create(
            code="CRM-2026",
            title="认罪认罚从宽制度专题培训",
            courses=[courses["CRM-201"]],
            business_lines=BusinessLine.objects.filter(
                code__in=["ordinary_crime", "economic_crime"]
            ),
            positions=["检察官", "检察官助理"],
            starts_on=today - dt.timedelta(days=75),
            due_on=today - dt.timedelta(days=5),
        )
        _offline_training(campaign, courses["CRM-201"], today)
    return campaign


def _offline_training(campaign: Campaign, course: CoursePage, today: dt.date) -> None:
    """Most of the audience sat the course in person (线下集中培训): offline records."""
    from .selectors import campaign_audience

    rng = random.Random(2026)
    done = set(
        CourseCompletion.objects.filter(course=course).values_list("user_id", flat=True)
    )
    rows = []
    for number, (staff_no, user_id, unit_path) in enumerate(
        campaign_audience(campaign)
        .order_by("staff_no")
        .values_list("staff_no", "user_id", "unit__path"),
        start=2,
    ):
        if user_id in done:
            continue
        share = 0.45 if "/G0301/" in unit_path else 0.8
        if rng.random() < share:
            day = campaign.starts_on + dt.timedelta(days=rng.randint(5, 60))
            rows.append(
                (
                    number,
                    {
                        "staff_no": staff_no,
                        "course_code": course.code,
                        "completed_on": min(day, today).isoformat(),
                        "source": "offline",
                    },
                )
            )
    if rows:
        table = Table(
            headers=["staff_no", "course_code", "completed_on", "source"], rows=rows
        )
        run_import(completions_import, table=table)


def _exemptions(campaign: Campaign, today: dt.date) -> None:
    if campaign.exemptions.exists():
        return
    done = set(
        CourseCompletion.objects.filter(course__in=campaign.courses.all()).values_list(
            "user_id", flat=True
        )
    )
    candidates = [
        p
        for p in StaffProfile.objects.filter(active=True, is_leader=False)
        .exclude(user__username__in=["staff", "unitlead", "leader", "admin", "trainer"])
        .order_by("staff_no")[::37]
        if p.user_id not in done
    ]
    for person, (reason, approver, days) in zip(candidates, EXEMPTIONS, strict=False):
        exemption_grant(
            campaign=campaign,
            staff=person,
            reason=reason,
            approver=approver,
            expires_on=today + dt.timedelta(days=days) if days else None,
        )


def _notify(campaign: Campaign, today: dt.date) -> None:
    """The demo learner has a due-soon reminder; the demo unit leader a digest."""
    User = get_user_model()
    staff = User.objects.filter(username="staff").select_related("profile").first()
    if staff is not None and hasattr(staff, "profile"):
        row = person_status(campaign, staff.profile, today)
        if row is not None:
            reminder, _created = Reminder.objects.get_or_create(
                user=staff,
                campaign=campaign,
                kind=Reminder.Kind.DUE_SOON,
                period=row["due_on"].isoformat(),
                defaults={
                    "params": {
                        "campaign_code": campaign.code,
                        "campaign_title": campaign.title,
                        "due_on": row["due_on"].isoformat(),
                    }
                },
            )
            reminder_deliver(reminder_id=reminder.pk)
    lead = User.objects.filter(username="unitlead").first()
    role = lead.roles.select_related("unit").first() if lead else None
    if role is not None and role.unit is not None:
        from .selectors import people_sql, rows

        sql, params = people_sql(
            campaign,
            StaffProfile.objects.filter(unit__path__startswith=role.unit.path),
            today,
        )
        counts = rows(
            "SELECT SUM(CASE WHEN p.status = 'overdue' THEN 1 ELSE 0 END) AS o,"
            " SUM(CASE WHEN p.status = 'not_started' THEN 1 ELSE 0 END) AS n"
            f" FROM ({sql}) p",
            params,
        )[0]
        reminder, _created = Reminder.objects.get_or_create(
            user=lead,
            campaign=campaign,
            kind=Reminder.Kind.DIGEST,
            period=iso_week(today),
            defaults={
                "params": {
                    "campaign_code": campaign.code,
                    "campaign_title": campaign.title,
                    "unit_code": role.unit.code,
                    "unit_name": role.unit.name,
                    "overdue": int(counts["o"] or 0),
                    "not_started": int(counts["n"] or 0),
                }
            },
        )
        reminder_deliver(reminder_id=reminder.pk)


def seed(*, stdout=None) -> None:
    today = timezone.localdate()
    courses = {c.code: c for c in CoursePage.objects.all()}
    law = _law(today, courses)
    crm = _crm(today, courses)
    if law is not None:
        _exemptions(law, today)
        _notify(law, today)
    if crm is not None:
        _notify(crm, today)
    if stdout:
        stdout.write(
            f"campaigns: {Campaign.objects.count()} campaigns, "
            f"{Reminder.objects.count()} reminders"
        )
