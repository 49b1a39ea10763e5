"""Writing campaigns: creation, audience membership, exemptions and the two importers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.batch import run_isolated
from learning.models import CourseCompletion, CoursePage
from organisation.models import BusinessLine, StaffProfile, Unit
from organisation.tabular import (
    ImportRejected,
    ImportSummary,
    RowError,
    Table,
    parse_bool,
    parse_date,
    parse_decimal,
    split_codes,
)
from organisation.validators import validate_code

from .models import Campaign, CampaignMember, Exemption, Notification
from .selectors import campaign_audience

Progress = Callable[[int, int], None] | None


class CampaignError(Exception):
    """A campaign could not be written; the message is translated."""


def _check_dates(starts_on, due_on, due_days) -> None:
    if due_on is None and not due_days:
        raise CampaignError(
            _("Give a due date or a number of days after joining the audience.")
        )
    if due_on is not None and starts_on and due_on < starts_on:
        raise CampaignError(_("The due date is before the start date."))


@transaction.atomic
def campaign_create(
    *,
    code: str,
    title: str,
    courses: Iterable[CoursePage],
    units: Iterable[Unit] = (),
    business_lines: Iterable[BusinessLine] = (),
    positions: Iterable[str] = (),
    leaders_only: bool = False,
    starts_on: dt.date,
    due_on: dt.date | None = None,
    recurrence: str = "none",
    created_by=None,
    due_days: int | None = None,
) -> Campaign:
    """Create a campaign and record its current audience as members.

    Raises CampaignError for a taken code, no course, or impossible dates.
    """
    code = code.strip()
    courses = list(courses)
    if not code or not title.strip():
        raise CampaignError(_("A campaign needs a code and a title."))
    if not courses:
        raise CampaignError(_("A campaign needs at least one course."))
    try:
        validate_code(code)
    except ValidationError as exc:
        raise CampaignError(exc.messages[0]) from exc
    if Campaign.objects.filter(code=code).exists():
        raise CampaignError(_("A campaign with this code already exists."))
    _check_dates(starts_on, due_on, due_days)
    if recurrence not in Campaign.Recurrence.values:
        raise CampaignError(_("Recurrence must be none or annual."))
    campaign = Campaign.objects.create(
        code=code,
        title=title.strip(),
        positions=[p.strip() for p in positions if p.strip()],
        leaders_only=leaders_only,
        starts_on=starts_on,
        due_on=due_on,
        due_days=due_days if due_on is None else None,
        recurrence=recurrence,
        created_by=created_by,
    )
    campaign.courses.set(courses)
    campaign.units.set(list(units))
    campaign.business_lines.set(list(business_lines))
    campaign_sync_audience(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, courses=None, units=None, **fields
) -> Campaign:
    """Change a campaign's fields and rules, then bring its membership up to date."""
    lines = fields.pop("business_lines", None)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _check_dates(campaign.starts_on, campaign.due_on, campaign.due_days)
    if campaign.due_on is not None:
        campaign.due_days = None
    if courses is not None:
        courses = list(courses)
        if not courses:
            raise CampaignError(_("A campaign needs at least one course."))
        campaign.courses.set(courses)
    if units is not None:
        campaign.units.set(list(units))
    if lines is not None:
        campaign.business_lines.set(list(lines))
    campaign.save()
    campaign._rules_cache = None
    campaign_sync_audience(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_sync_audience(
    *, campaign: Campaign, today: dt.date | None = None
) -> tuple[int, int]:
    """Bring membership rows in line with the roster: (joined, left).

    People in the audience when the campaign is created join on its start date; later
    joiners on the day they are found (that day starts their "N days" clock). Leavers
    get ``left_on``; someone who comes back joins again from that day.
    """
    today = today or timezone.localdate()
    campaign._rules_cache = None
    audience = set(campaign_audience(campaign).values_list("id", flat=True))
    members = {m.staff_id: m for m in CampaignMember.objects.filter(campaign=campaign)}
    first_sync = not members
    join_day = campaign.starts_on if first_sync else today
    new = [
        CampaignMember(campaign=campaign, staff_id=sid, joined_on=join_day)
        for sid in audience
        if sid not in members
    ]
    CampaignMember.objects.bulk_create(new, batch_size=2000)
    back = [m.pk for sid, m in members.items() if sid in audience and m.left_on]
    gone = [m.pk for sid, m in members.items() if sid not in audience and not m.left_on]
    if back:
        CampaignMember.objects.filter(pk__in=back).update(left_on=None, joined_on=today)
    if gone:
        CampaignMember.objects.filter(pk__in=gone).update(left_on=today)
    return len(new) + len(back), len(gone)


def campaigns_sync_all(*, today: dt.date | None = None) -> dict[str, tuple[int, int]]:
    """Sync every active campaign's audience; one that fails is logged and left out."""
    changes: dict[str, tuple[int, int]] = {}

    def sync(campaign: Campaign) -> None:
        changes[campaign.code] = campaign_sync_audience(campaign=campaign, today=today)

    run_isolated(
        Campaign.objects.filter(active=True),
        sync,
        what="syncing a campaign's audience",
        label=lambda c: c.code,
    )
    return changes


@transaction.atomic
def exemption_grant(
    *,
    campaign: Campaign,
    staff: StaffProfile,
    reason: str,
    approver: str,
    approved_by=None,
    expires_on: dt.date | None = None,
) -> Exemption:
    if not reason.strip() or not approver.strip():
        raise CampaignError(_("An exemption needs a reason and an approver."))
    exemption, _created = Exemption.objects.update_or_create(
        campaign=campaign,
        staff=staff,
        defaults={
            "reason": reason.strip(),
            "approver": approver.strip(),
            "approved_by": approved_by,
            "expires_on": expires_on,
        },
    )
    return exemption


def exemption_revoke(*, exemption: Exemption) -> None:
    exemption.delete()


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# Importers -----------------------------------------------------------------------------

CAMPAIGN_COLUMNS = ["code", "title", "courses"]
CAMPAIGN_OPTIONAL = [
    "units",
    "business_lines",
    "positions",
    "leaders_only",
    "starts_on",
    "due_on",
    "recurrence",
]


def campaigns_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None, created_by=None
) -> ImportSummary:
    """Upsert campaigns by code (a year's training plan). All-or-nothing.

    ``starts_on`` defaults to today; ``due_on`` may be a date or a number of days
    after joining the audience (e.g. ``30``).
    """
    table.require_columns(CAMPAIGN_COLUMNS, CAMPAIGN_OPTIONAL)
    courses = {c.code: c for c in CoursePage.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    lines = {b.code: b for b in BusinessLine.objects.all()}
    errors: list[RowError] = []
    parsed = []
    seen: dict[str, int] = {}
    for number, row in table.rows:
        item: dict = {"row": number}
        code = row.get("code", "").strip()
        if not code:
            errors.append(RowError(number, "code", _("required")))
        elif code in seen:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("the same code is already on row %(row)s") % {"row": seen[code]},
                )
            )
        seen.setdefault(code, number)
        item["code"] = code
        item["title"] = row.get("title", "").strip()
        if not item["title"]:
            errors.append(RowError(number, "title", _("required")))
        item["courses"] = []
        course_codes = split_codes(row.get("courses", ""))
        if not course_codes:
            errors.append(RowError(number, "courses", _("required")))
        for c in course_codes:
            if c not in courses:
                errors.append(
                    RowError(number, "courses", _("unknown course %(c)s") % {"c": c})
                )
            else:
                item["courses"].append(courses[c])
        item["units"] = []
        for c in split_codes(row.get("units", "")):
            if c not in units:
                errors.append(
                    RowError(number, "units", _("unknown unit %(c)s") % {"c": c})
                )
            else:
                item["units"].append(units[c])
        item["business_lines"] = []
        for c in split_codes(row.get("business_lines", "")):
            if c not in lines:
                errors.append(
                    RowError(
                        number,
                        "business_lines",
                        _("unknown business line %(c)s") % {"c": c},
                    )
                )
            else:
                item["business_lines"].append(lines[c])
        item["positions"] = split_codes(row.get("positions", ""))
        try:
            item["leaders_only"] = parse_bool(row.get("leaders_only", ""))
        except ValueError as exc:
            errors.append(RowError(number, "leaders_only", str(exc)))
        item["starts_on"] = timezone.localdate()
        if row.get("starts_on", "").strip():
            try:
                item["starts_on"] = parse_date(row["starts_on"])
            except ValueError as exc:
                errors.append(RowError(number, "starts_on", str(exc)))
        item["due_on"], item["due_days"] = None, None
        due = row.get("due_on", "").strip()
        if not due:
            errors.append(RowError(number, "due_on", _("required")))
        elif due.isdigit():
            item["due_days"] = int(due)
            if not 0 < item["due_days"] <= 3650:
                errors.append(
                    RowError(number, "due_on", _("days must be between 1 and 3650"))
                )
        else:
            try:
                item["due_on"] = parse_date(due)
            except ValueError as exc:
                errors.append(RowError(number, "due_on", str(exc)))
            else:
                if item["due_on"] < item["starts_on"]:
                    errors.append(
                        RowError(
                            number, "due_on", _("the due date is before the start date")
                        )
                    )
        recurrence = row.get("recurrence", "").strip().lower() or "none"
        if recurrence not in Campaign.Recurrence.values:
            errors.append(RowError(number, "recurrence", _("expected none or annual")))
        item["recurrence"] = recurrence
        parsed.append(item)
    if errors:
        raise ImportRejected(errors)

    summary = ImportSummary()
    existing = {c.code: c for c in Campaign.objects.filter(code__in=list(seen))}
    for index, item in enumerate(parsed, start=1):
        campaign = existing.get(item["code"])
        fields = {
            k: item[k]
            for k in (
                "title",
                "positions",
                "leaders_only",
                "starts_on",
                "due_on",
                "due_days",
                "recurrence",
            )
        }
        if campaign is None:
            campaign_create(
                code=item["code"],
                courses=item["courses"],
                units=item["units"],
                business_lines=item["business_lines"],
                created_by=created_by,
                **fields,
            )
            summary.created += 1
        else:
            same = (
                all(getattr(campaign, k) == v for k, v in fields.items())
                and set(campaign.courses.values_list("id", flat=True))
                == {c.id for c in item["courses"]}
                and set(campaign.units.values_list("id", flat=True))
                == {u.id for u in item["units"]}
                and set(campaign.business_lines.values_list("id", flat=True))
                == {b.id for b in item["business_lines"]}
            )
            if same:
                summary.unchanged += 1
            else:
                campaign_update(
                    campaign=campaign,
                    courses=item["courses"],
                    units=item["units"],
                    business_lines=item["business_lines"],
                    **fields,
                )
                summary.updated += 1
        if progress:
            progress(index, len(parsed))
    return summary


COMPLETION_COLUMNS = ["staff_no", "course_code", "completed_on"]
COMPLETION_OPTIONAL = ["score", "source"]
SOURCE_WORDS = {
    "": CourseCompletion.Source.OFFLINE,
    "offline": CourseCompletion.Source.OFFLINE,
    "线下": CourseCompletion.Source.OFFLINE,
    "online": CourseCompletion.Source.ONLINE,
    "线上": CourseCompletion.Source.ONLINE,
}


def completions_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None
) -> ImportSummary:
    """Record training completed offline as course completions of the current version.

    One completion per (person, course, version): a second row for the same version
    updates the date and score. All-or-nothing.
    """
    table.require_columns(COMPLETION_COLUMNS, COMPLETION_OPTIONAL)
    staff = dict(StaffProfile.objects.values_list("staff_no", "user_id"))
    courses = {
        c["code"]: c for c in CoursePage.objects.values("id", "code", "content_version")
    }
    today = timezone.localdate()
    errors: list[RowError] = []
    parsed: dict[tuple[int, int, int], dict] = {}
    for number, row in table.rows:
        user_id = staff.get(row.get("staff_no", "").strip())
        if user_id is None:
            errors.append(
                RowError(number, "staff_no", _("no such person on the roster"))
            )
        course = courses.get(row.get("course_code", "").strip())
        if course is None:
            errors.append(RowError(number, "course_code", _("no such course")))
        day = None
        try:
            day = parse_date(row.get("completed_on", ""))
            if day > today:
                errors.append(
                    RowError(number, "completed_on", _("the date is in the future"))
                )
        except ValueError as exc:
            errors.append(RowError(number, "completed_on", str(exc)))
        score = None
        if row.get("score", "").strip():
            try:
                score = parse_decimal(row["score"])
                if not Decimal(0) <= score <= Decimal(100):
                    raise ValueError(_("a score is between 0 and 100"))
            except ValueError as exc:
                errors.append(RowError(number, "score", str(exc)))
        source = SOURCE_WORDS.get(row.get("source", "").strip().lower())
        if source is None:
            errors.append(RowError(number, "source", _("expected offline or online")))
        if user_id is None or course is None or day is None:
            continue
        key = (user_id, course["id"], course["content_version"])
        parsed[key] = {"completed_on": day, "score": score, "source": source}
    if errors:
        raise ImportRejected(errors)

    summary = ImportSummary()
    existing = {}
    users = list({k[0] for k in parsed})
    for chunk in range(0, len(users), 2000):
        for completion in CourseCompletion.objects.filter(
            user_id__in=users[chunk : chunk + 2000]
        ):
            existing[(completion.user_id, completion.course_id, completion.version)] = (
                completion
            )
    new, changed = [], []
    for (user_id, course_id, version), item in parsed.items():
        completion = existing.get((user_id, course_id, version))
        if completion is None:
            new.append(
                CourseCompletion(
                    user_id=user_id, course_id=course_id, version=version, **item
                )
            )
            continue
        if (completion.completed_on, completion.score, completion.source) == (
            item["completed_on"],
            item["score"],
            item["source"],
        ):
            summary.unchanged += 1
            continue
        completion.completed_on = item["completed_on"]
        completion.score = item["score"]
        completion.source = item["source"]
        changed.append(completion)
    CourseCompletion.objects.bulk_create(new, batch_size=1000)
    CourseCompletion.objects.bulk_update(
        changed, ["completed_on", "score", "source"], batch_size=1000
    )
    summary.created, summary.updated = len(new), len(changed)
    return summary
