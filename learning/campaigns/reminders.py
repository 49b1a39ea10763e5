"""Reminders: planning who is told what this time, and delivering each message.

Planning writes one ``Reminder`` row per (person, campaign, kind, period); the unique
key on those four makes a schedule that fires twice plan nothing twice. Delivery locks
the row, creates the in-app notification and sends the email, each at most once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from config.batch import run_isolated
from organisation.models import LanguagePreference, RoleAssignment, StaffProfile, Unit

from . import messages
from .models import Campaign, Notification, Reminder
from .selectors import campaign_cycle, people_sql, rows

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _languages(user_ids) -> dict[int, str]:
    chosen = dict(
        LanguagePreference.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "language"
        )
    )
    return chosen


def _create(reminders: list[Reminder]) -> int:
    if not reminders:
        return 0
    languages = _languages({r.user_id for r in reminders})
    for reminder in reminders:
        reminder.language = languages.get(reminder.user_id, settings.LANGUAGE_CODE)
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(reminders, batch_size=2000, ignore_conflicts=True)
    return Reminder.objects.count() - before


def _campaigns(today: dt.date):
    return Campaign.objects.filter(active=True, starts_on__lte=today)


def plan_learner_reminders(*, today: dt.date | None = None) -> int:
    """Plan due-in-7-days, due-tomorrow and (weekly) overdue reminders; returns how many."""
    today = today or timezone.localdate()
    week = iso_week(today)
    planned = 0

    def plan(campaign: Campaign) -> None:
        nonlocal planned
        cycle = campaign_cycle(campaign, today)
        sql, params = people_sql(
            campaign, StaffProfile.objects.all(), today, narrow=False
        )
        people = rows(
            "SELECT p.user_id, p.joined_on, p.status FROM ("
            + sql
            + ") p WHERE p.status IN ('in_progress', 'not_started', 'overdue')",
            params,
        )
        batch = []
        for person in people:
            joined = person["joined_on"]
            if joined is not None and not isinstance(joined, dt.date):
                joined = dt.date.fromisoformat(str(joined)[:10])
            due = cycle.due_for(joined, today)
            if person["status"] == "overdue":
                kind, period = Reminder.Kind.OVERDUE, week
            elif due - today == dt.timedelta(days=7):
                kind, period = Reminder.Kind.DUE_SOON, due.isoformat()
            elif due - today == dt.timedelta(days=1):
                kind, period = Reminder.Kind.DUE_TOMORROW, due.isoformat()
            else:
                continue
            batch.append(
                Reminder(
                    user_id=person["user_id"],
                    campaign=campaign,
                    kind=kind,
                    period=period,
                    params={
                        "campaign_code": campaign.code,
                        "campaign_title": campaign.title,
                        "due_on": due.isoformat(),
                    },
                )
            )
        planned += _create(batch)

    # One campaign whose audience cannot be computed must not silence the others.
    run_isolated(
        _campaigns(today), plan, what="planning reminders", label=lambda c: c.code
    )
    return planned


def plan_leader_digests(*, today: dt.date | None = None) -> int:
    """Plan each unit leader's weekly digest: overdue and not started in their subtree."""
    today = today or timezone.localdate()
    week = iso_week(today)
    leaders = list(
        RoleAssignment.objects.in_force(today)
        .filter(role=RoleAssignment.Role.UNIT_LEADER)
        .select_related("unit")
        .order_by("user_id", "unit__path")
    )
    if not leaders:
        return 0
    paths = dict(Unit.objects.values_list("id", "path"))
    planned = 0

    def plan(campaign: Campaign) -> None:
        nonlocal planned
        due = campaign_cycle(campaign, today).due_on
        sql, params = people_sql(
            campaign, StaffProfile.objects.all(), today, narrow=False
        )
        counts = rows(
            "SELECT p.unit_id,"
            " SUM(CASE WHEN p.status = 'overdue' THEN 1 ELSE 0 END) AS overdue,"
            " SUM(CASE WHEN p.status = 'not_started' THEN 1 ELSE 0 END) AS not_started"
            " FROM (" + sql + ") p GROUP BY p.unit_id",
            params,
        )
        batch, seen = [], set()
        for role in leaders:
            if role.user_id in seen:  # one digest per leader, for their first unit
                continue
            seen.add(role.user_id)
            prefix = role.unit.path
            overdue = sum(
                c["overdue"] or 0
                for c in counts
                if paths.get(c["unit_id"], "").startswith(prefix)
            )
            not_started = sum(
                c["not_started"] or 0
                for c in counts
                if paths.get(c["unit_id"], "").startswith(prefix)
            )
            if not overdue and not not_started:
                continue
            batch.append(
                Reminder(
                    user_id=role.user_id,
                    campaign=campaign,
                    kind=Reminder.Kind.DIGEST,
                    period=week,
                    params={
                        "campaign_code": campaign.code,
                        "campaign_title": campaign.title,
                        "unit_code": role.unit.code,
                        "unit_name": role.unit.name,
                        "overdue": int(overdue),
                        "not_started": int(not_started),
                        "due_on": due.isoformat() if due else None,
                    },
                )
            )
        planned += _create(batch)

    run_isolated(
        _campaigns(today), plan, what="planning leader digests", label=lambda c: c.code
    )
    return planned


def pending_reminder_ids() -> list[int]:
    return list(
        Reminder.objects.filter(
            status=Reminder.Status.PENDING, attempts__lt=MAX_ATTEMPTS
        ).values_list("id", flat=True)
    )


def _link(reminder: Reminder) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        if reminder.kind == Reminder.Kind.DIGEST:
            return reverse(
                "reports:campaign_unit",
                args=[reminder.campaign.code, reminder.params.get("unit_code", "")],
            )
        return reverse("learning:dashboard")
    except NoReverseMatch:
        return "/"


def reminder_deliver(*, reminder_id: int, today: dt.date | None = None) -> bool:
    """Send one reminder (in-app, then email), each part at most once.

    Returns True when it is sent (now or before). Raises the sending error after
    recording it, so the task can retry; after MAX_ATTEMPTS the reminder is failed.
    The days left before the due date are counted on the day it is sent, not the
    day it was planned: a retried or late reminder never states a stale count.
    """
    today = today or timezone.localdate()
    failure: Exception | None = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update()
            .select_related("user", "campaign")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.status == Reminder.Status.SENT:
            return reminder is not None
        if reminder.kind in (Reminder.Kind.DUE_SOON, Reminder.Kind.DUE_TOMORROW):
            reminder.params = {
                **reminder.params,
                "days_left": messages.days_left(reminder.params.get("due_on"), today),
            }
        if reminder.notification_id is None:
            reminder.notification = Notification.objects.create(
                user=reminder.user,
                kind=reminder.kind,
                params=reminder.params,
                link=_link(reminder),
            )
        address = reminder.user.email or getattr(
            getattr(reminder.user, "profile", None), "email", ""
        )
        reminder.attempts += 1
        try:
            if address and not reminder.emailed:
                with translation.override(reminder.language):
                    subject, body = messages.render(reminder.kind, reminder.params)
                send_mail(subject, body, None, [address])
                reminder.emailed = True
        except Exception as exc:  # any transport error: record it, the task retries
            failure = exc
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if reminder.attempts >= MAX_ATTEMPTS:
                reminder.status = Reminder.Status.FAILED
            log.warning("reminder %s failed: %s", reminder.pk, reminder.last_error)
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = timezone.now()
            reminder.last_error = ""
            log.info(
                "reminder %s sent: %s %s %s to user %s",
                reminder.pk,
                reminder.kind,
                reminder.campaign.code,
                reminder.period,
                reminder.user_id,
            )
        reminder.save()
    if failure is not None:
        raise failure
    return True
