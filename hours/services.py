"""Writes to the 学时 ledger.

Guarantees: every credited item is one ledger row, however many times its source is
seen (rows from completions and attendance are keyed by their source, so crediting
twice changes nothing); a manual entry always names who made it and why; a sign-in
code counts only until it expires and only for people enrolled in the class.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learning.models import CourseCompletion
from organisation.models import StaffProfile

from .models import Attendance, ClassSession, Kind, LedgerEntry, SignInCode
from .selectors import is_enrolled

# Long enough to read aloud and type on a phone; no 0/O or 1/I to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_MINUTES = 15


class HoursError(Exception):
    """A refusal with a translated message for the person who asked."""


def _completion_entry_values(completion: CourseCompletion) -> dict:
    course = completion.course
    online = completion.source == CourseCompletion.Source.ONLINE
    imported = (
        not online or bool(completion.source_text) or completion.hours is not None
    )
    hours = completion.hours if completion.hours is not None else course.class_hours
    return {
        "on": completion.completed_on,
        "hours": hours,
        "kind": Kind.ONLINE if online else Kind.CENTRALISED,
        "source": LedgerEntry.Source.IMPORTED
        if imported
        else LedgerEntry.Source.COURSE,
        "title": f"{course.code} {course.title}"[:200],
    }


def ledger_credit_completions(*, completion_ids: list[int]) -> int:
    """Bring the ledger rows of these completions in step with them; returns the
    number of rows written. A person without a roster entry has no ledger."""
    written = 0
    for start in range(0, len(completion_ids), 1000):
        part = completion_ids[start : start + 1000]
        written += _credit_part(part)
    return written


@transaction.atomic
def _credit_part(ids: list[int]) -> int:
    completions = CourseCompletion.objects.filter(pk__in=ids).select_related("course")
    staff = dict(
        StaffProfile.objects.filter(
            user_id__in={c.user_id for c in completions}
        ).values_list("user_id", "id")
    )
    existing = {
        e.completion_id: e for e in LedgerEntry.objects.filter(completion_id__in=ids)
    }
    new, changed = [], []
    for completion in completions:
        staff_id = staff.get(completion.user_id)
        if staff_id is None:
            continue
        values = _completion_entry_values(completion)
        entry = existing.get(completion.pk)
        if entry is None:
            new.append(LedgerEntry(staff_id=staff_id, completion=completion, **values))
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(entry, k, v)
            changed.append(entry)
    LedgerEntry.objects.bulk_create(new)
    LedgerEntry.objects.bulk_update(changed, ["on", "hours", "kind", "source", "title"])
    return len(new) + len(changed)


@transaction.atomic
def manual_entry_add(
    *,
    staff: StaffProfile,
    on: dt.date,
    hours: Decimal,
    kind: str,
    title: str,
    reason: str,
    user,
) -> LedgerEntry:
    """A manual credit by an administrator; refused without a reason."""
    if not reason.strip():
        raise HoursError(_("A manual entry needs a reason."))
    if hours <= 0:
        raise HoursError(_("The hours must be more than zero."))
    return LedgerEntry.objects.create(
        staff=staff,
        on=on,
        hours=hours,
        kind=kind,
        title=title[:200],
        reason=reason.strip()[:300],
        source=LedgerEntry.Source.MANUAL,
        created_by=user,
    )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def sign_in_code_issue(
    *, session: ClassSession, user, minutes: int = CODE_MINUTES
) -> SignInCode:
    """A fresh code for a session, valid for ``minutes``; earlier codes expire now."""
    now = timezone.now()
    SignInCode.objects.filter(session=session, expires_at__gt=now).update(
        expires_at=now
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return SignInCode.objects.create(
                    session=session,
                    code=_new_code(),
                    created_by=user,
                    expires_at=now + dt.timedelta(minutes=minutes),
                )
        except IntegrityError:
            continue
    raise HoursError(_("No free sign-in code could be drawn; try again."))


def _normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[:12]


def sign_in(*, user, code: str, now: dt.datetime | None = None) -> Attendance:
    """Record the user's attendance of the session the code belongs to.

    Refused when the code is unknown or expired, or the user is not enrolled in the
    class. Signing in twice keeps the first record.
    """
    now = now or timezone.now()
    found = (
        SignInCode.objects.select_related("session__klass")
        .filter(code=_normalise_code(code))
        .first()
    )
    if found is None or found.expires_at <= now:
        raise HoursError(_("This sign-in code is not valid or has expired."))
    staff = StaffProfile.objects.filter(user=user, active=True).first()
    session = found.session
    if staff is None or not is_enrolled(session.klass, staff):
        raise HoursError(_("You are not enrolled in this class."))
    return attendance_record(
        session=session, staff=staff, hours=session.hours, via=Attendance.Via.CODE
    )


@transaction.atomic
def attendance_record(
    *, session: ClassSession, staff: StaffProfile, hours: Decimal, via: str
) -> Attendance:
    """Attendance of one session and its ledger row (once per person and session)."""
    attendance, created = Attendance.objects.get_or_create(
        session=session, staff=staff, defaults={"hours": hours, "via": via}
    )
    if not created and attendance.hours != hours and via == Attendance.Via.SHEET:
        attendance.hours = hours
        attendance.save(update_fields=["hours"])
    klass = session.klass
    LedgerEntry.objects.update_or_create(
        attendance=attendance,
        defaults={
            "staff": staff,
            "on": session.on,
            "hours": attendance.hours,
            "kind": Kind.CENTRALISED,
            "source": LedgerEntry.Source.CLASS,
            "title": f"{klass.code} {klass.title}"[:200],
        },
    )
    return attendance
