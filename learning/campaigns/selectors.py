"""Reading campaigns: audiences, due dates and each person's status.

The status of a person in a campaign is defined once, in :func:`people_sql`, as one
SQL statement over the roster; the completion report (reports) aggregates
that statement with GROUP BY, and the learner's dashboard reads it for one person.

Definition (docs: DESIGN.md, completion_report):
- audience: active staff matching the campaign's rules, taken from the roster;
- completed: every course of the campaign has a completion that is not superseded,
  dated on or after the (current cycle's) start and not after the report date;
- exempt: not completed and an exemption that has not expired on the report date;
- overdue: neither, and the report date is past the person's due date;
- in_progress: some progress since the start: a lesson done, one course completed, or
  a completion of an earlier version of a course that a material change superseded;
- not_started: the rest, including people who never signed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from learning.models import CourseCompletion, CoursePage, LessonProgress
from organisation.models import StaffProfile, Unit

from .models import Campaign, CampaignMember, Exemption, Notification

if TYPE_CHECKING:
    from collections.abc import Collection

    from django.contrib.auth.models import User

STATUSES = ("completed", "in_progress", "not_started", "overdue", "exempt")


def campaign_list(*, active_only: bool = False) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.prefetch_related("courses")
    return campaigns.filter(active=True) if active_only else campaigns


def campaign_get(*, code: str) -> Campaign | None:
    return Campaign.objects.filter(code=code).first()


# Cycles and due dates --------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Cycle:
    """The dates of the campaign's round that a report date falls in."""

    starts_on: dt.date
    due_on: dt.date | None  # fixed due date; None when due N days after joining
    due_days: int | None

    def due_for(self, joined_on: dt.date | None, as_of: dt.date) -> dt.date:
        if self.due_on is not None:
            return self.due_on
        joined = max(joined_on or as_of, self.starts_on)
        return joined + dt.timedelta(days=self.due_days or 0)


def campaign_cycle(campaign: Campaign, as_of: dt.date) -> Cycle:
    """An annual campaign starts again every year on the anniversary of its start."""
    years = 0
    if campaign.recurrence == Campaign.Recurrence.ANNUAL and as_of > campaign.starts_on:
        years = as_of.year - campaign.starts_on.year
        if _add_years(campaign.starts_on, years) > as_of:
            years -= 1
    due = campaign.due_on
    return Cycle(
        starts_on=_add_years(campaign.starts_on, years),
        due_on=_add_years(due, years) if due is not None else None,
        due_days=campaign.due_days,
    )


# Audience --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """A campaign's audience rules and courses, loaded once (three small queries)."""

    unit_paths: tuple[str, ...]
    line_ids: tuple[int, ...]
    positions: tuple[str, ...]
    leaders_only: bool
    course_ids: tuple[int, ...]


def campaign_rules(campaign: Campaign) -> Rules:
    cached = getattr(campaign, "_rules_cache", None)
    if cached is None:
        paths, line_ids, course_ids = _rule_links(campaign.pk)
        cached = Rules(
            unit_paths=tuple(sorted(paths)),
            line_ids=tuple(sorted(line_ids)),
            positions=tuple(campaign.positions or ()),
            leaders_only=campaign.leaders_only,
            course_ids=tuple(sorted(course_ids)),
        )
        campaign._rules_cache = cached  # type: ignore[attr-defined]
    return cached


def _rule_links(campaign_id: int) -> tuple[list[str], list[int], list[int]]:
    """The campaign's unit paths, business line ids and course ids in one query
    (every report and dashboard reads them first; three ORM queries cost 3–4 times as
    much on the page of a unit leader)."""
    quote = connection.ops.quote_name

    def links(name: str) -> tuple[str, str, str]:
        field = Campaign._meta.get_field(name)
        return (
            quote(field.remote_field.through._meta.db_table),  # type: ignore[union-attr]
            quote(field.m2m_column_name()),  # type: ignore[union-attr]
            quote(field.m2m_reverse_name()),  # type: ignore[union-attr]
        )

    units, lines, courses = links("units"), links("business_lines"), links("courses")
    sql = (
        f"SELECT 1, u.{quote('path')}, NULL FROM {units[0]} t "
        f"JOIN {quote(Unit._meta.db_table)} u ON u.{quote('id')} = t.{units[2]} "
        f"WHERE t.{units[1]} = %s "
        f"UNION ALL SELECT 2, NULL, t.{lines[2]} FROM {lines[0]} t "
        f"WHERE t.{lines[1]} = %s "
        f"UNION ALL SELECT 3, NULL, t.{courses[2]} FROM {courses[0]} t "
        f"WHERE t.{courses[1]} = %s"
    )
    found: dict[int, list] = {1: [], 2: [], 3: []}
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id] * 3)
        for kind, path, key in cursor.fetchall():
            found[kind].append(path if kind == 1 else key)
    return found[1], found[2], found[3]


def audience_filter(rules: Rules) -> Q:
    """The campaign's rules as a filter on StaffProfile (active staff only)."""
    condition = Q(active=True)
    if rules.unit_paths:
        condition &= reduce(
            or_, (Q(unit__path__startswith=p) for p in rules.unit_paths)
        )
    if rules.line_ids:
        through = StaffProfile.business_lines.through
        condition &= Q(
            Exists(
                through.objects.filter(
                    staffprofile_id=OuterRef("pk"), businessline_id__in=rules.line_ids
                )
            )
        )
    if rules.positions:
        condition &= Q(position__in=rules.positions)
    if rules.leaders_only:
        condition &= Q(is_leader=True)
    return condition


def campaign_audience(
    campaign: Campaign, staff: QuerySet[StaffProfile] | None = None
) -> QuerySet[StaffProfile]:
    """Audience within ``staff`` (a queryset obtained from organisation.selectors)."""
    staff = StaffProfile.objects.all() if staff is None else staff
    return staff.filter(audience_filter(campaign_rules(campaign)))


def profile_matches(
    campaign: Campaign, profile: StaffProfile, line_ids: Collection[int]
) -> bool:
    """The audience rule for one person, in Python (the dashboard's shortcut)."""
    if not profile.active:
        return False
    units = [u.path for u in campaign.units.all()]
    if units and not any(profile.unit.path.startswith(p) for p in units):
        return False
    lines = {b.id for b in campaign.business_lines.all()}
    if lines and not lines & set(line_ids):
        return False
    if campaign.positions and profile.position not in campaign.positions:
        return False
    return not (campaign.leaders_only and not profile.is_leader)


# The status of every person, as one SQL statement -----------------------------------


def _sql(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


PEOPLE_COLUMNS = (
    "staff_id",
    "user_id",
    "staff_no",
    "name",
    "unit_id",
    "position",
    "is_leader",
    "done",
    "last_done",
    "lessons",
    "exempt",
    "joined_on",
    "status",
    "status_code",
)


def people_sql(
    campaign: Campaign,
    staff: QuerySet[StaffProfile],
    as_of: dt.date,
    *,
    extra: tuple[str, ...] = (),
    narrow: bool = True,
) -> tuple[str, list]:
    """SQL (with params) giving one row per audience member, columns PEOPLE_COLUMNS
    (plus ``extra``: names of annotations on ``staff`` to carry through).

    ``staff`` is the scope, a queryset from organisation.selectors; the rules are
    applied to it here. The statement joins one pre-aggregate of completions and lesson
    progress, so the database does the work in one pass however many people match.

    ``narrow`` restricts those aggregates to the audience's users, which lets the
    database look a small scope's people up by index; for a province-wide scope pass
    False: the aggregates then read only the campaign's courses, with no extra pass
    over the roster (the outer join keeps the result the same).
    """
    ops, quote = connection.ops, connection.ops.quote_name
    rules = campaign_rules(campaign)
    cycle = campaign_cycle(campaign, as_of)
    audience = campaign_audience(campaign, staff).order_by()
    users = audience.values("user_id")
    course_ids = list(rules.course_ids) or [0]

    a_sql, a_params = _sql(
        audience.values(
            "id",
            "user_id",
            "staff_no",
            "name",
            "unit_id",
            "position",
            "is_leader",
            *extra,
        )
    )
    completions = CourseCompletion.objects.filter(
        course_id__in=course_ids,
        completed_on__gte=cycle.starts_on,
        completed_on__lte=as_of,
    )
    lessons = LessonProgress.objects.filter(
        course_id__in=course_ids,
        completed_at__gte=_day_start(cycle.starts_on),
        completed_at__lt=_day_start(as_of + dt.timedelta(days=1)),
    )
    if narrow:
        completions = completions.filter(user_id__in=users)
        lessons = lessons.filter(user_id__in=users)
    # One aggregate per person over completions and lessons together (one join, not
    # two). Superseded completions are kept: they are progress, not completion.
    cc_sql, cc_params = _sql(
        completions.order_by().values(
            "user_id", "course_id", "completed_on", "superseded"
        )
    )
    ll_sql, ll_params = _sql(lessons.order_by().values("user_id"))
    exemptions = Exemption.objects.filter(campaign_id=campaign.pk).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=as_of)
    )
    ee_sql, ee_params = _sql(
        exemptions.order_by().values(exempt_user=F("staff__user_id"))
    )
    # Exemptions join the same per-person aggregate (one row per campaign and person,
    # by constraint), so the roster is joined once rather than twice.
    c_sql = (
        "SELECT x.user_id,"
        " COUNT(DISTINCT CASE WHEN x.kind = 1 AND NOT x.superseded"
        " THEN x.course_id END) AS n,"
        " MAX(CASE WHEN x.kind = 1 AND NOT x.superseded"
        " THEN x.completed_on END) AS last_done,"
        " SUM(CASE WHEN x.kind = 2 THEN 1 ELSE 0 END) AS lessons,"
        " SUM(CASE WHEN x.kind < 3 THEN 1 ELSE 0 END) AS activity,"
        " MAX(CASE WHEN x.kind = 3 THEN 1 ELSE 0 END) AS exempt"
        f" FROM (SELECT u.*, 1 AS kind FROM ({cc_sql}) u"
        " UNION ALL SELECT v.user_id, NULL, NULL, (1 = 0), 2"
        f" FROM ({ll_sql}) v"
        " UNION ALL SELECT w.exempt_user, NULL, NULL, (1 = 0), 3"
        f" FROM ({ee_sql}) w) x GROUP BY x.user_id"
    )
    c_params = cc_params + ll_params + ee_params
    member_table = quote(CampaignMember._meta.db_table)
    as_of_db = ops.adapt_datefield_value(as_of)

    # The date a person joined the audience matters only for due dates counted from
    # joining; with a fixed due date the membership table is not read at all.
    members, member_params, joined = "", [], "NULL AS joined_on"
    if cycle.due_on is not None:
        overdue_sql, overdue_params = ("1=1" if as_of > cycle.due_on else "1=0"), []
    else:
        members = (
            f" LEFT JOIN {member_table} m ON m.staff_id = a.id AND m.campaign_id = %s"
        )
        member_params, joined = [campaign.pk], "m.joined_on"
        latest_join = as_of - dt.timedelta(days=cycle.due_days or 0)
        if cycle.starts_on < latest_join:
            overdue_sql = "COALESCE(m.joined_on, %s) < %s"
            overdue_params = [as_of_db, ops.adapt_datefield_value(latest_join)]
        else:
            overdue_sql, overdue_params = "1=0", []

    carried = "".join(f"a.{name}, " for name in extra)
    # The status rules, first match wins: (condition, its params, status). ``status``
    # names the status and ``status_code`` is its index in STATUSES (cheaper to
    # aggregate); both are bound as parameters, like every value here.
    rules_sql: tuple[tuple[str, list, str], ...] = (
        ("COALESCE(c.n, 0) >= %s", [len(rules.course_ids)], "completed"),
        ("c.exempt = 1", [], "exempt"),
        (overdue_sql, overdue_params, "overdue"),
        ("c.activity > 0", [], "in_progress"),
    )

    def case(label) -> tuple[str, list]:
        whens = " ".join(f"WHEN {cond} THEN %s" for cond, _p, _s in rules_sql)
        values = [v for _c, ps, s in rules_sql for v in (*ps, label(s))]
        return f"CASE {whens} ELSE %s END", [*values, label("not_started")]

    status_sql, status_params = case(str)
    code_sql, code_params = case(STATUSES.index)
    sql = (
        f"SELECT {carried}a.id AS staff_id, a.user_id, a.staff_no, a.name, a.unit_id,"
        " a.position, a.is_leader, COALESCE(c.n, 0) AS done, c.last_done,"
        " COALESCE(c.lessons, 0) AS lessons,"
        " COALESCE(c.exempt, 0) AS exempt,"
        f" {joined},"
        f" {status_sql} AS status,"
        f" {code_sql} AS status_code"
        f" FROM ({a_sql}) a"
        f" LEFT JOIN ({c_sql}) c ON c.user_id = a.user_id"
        f"{members}"
    )
    params = status_params + code_params + a_params + c_params + member_params
    return sql, params


def progress_percent(row: dict, n_courses: int, n_lessons: int) -> int:
    """0–100: the share of the campaign's courses (or, before any, lessons) done."""
    if row["status"] == "completed":
        return 100
    by_courses = row["done"] / n_courses if n_courses else 0
    by_lessons = row["lessons"] / n_lessons if n_lessons else 0
    return min(99, round(100 * max(by_courses, by_lessons)))


def campaign_lesson_count(campaign: Campaign) -> int:
    """Live lessons in the campaign's courses (the denominator of lesson progress)."""
    from learning.models import LessonPage

    total = 0
    for course in CoursePage.objects.filter(
        id__in=campaign_rules(campaign).course_ids
    ).only("path", "depth"):
        total += LessonPage.objects.live().descendant_of(course).count()
    return total


def rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def person_status(
    campaign: Campaign, profile: StaffProfile, as_of: dt.date | None = None
) -> dict | None:
    """One person's row in a campaign (None when they are not in its audience)."""
    as_of = as_of or timezone.localdate()
    sql, params = people_sql(
        campaign, StaffProfile.objects.filter(pk=profile.pk), as_of
    )
    found = rows(sql, params)
    if not found:
        return None
    row = found[0]
    row["joined_on"] = _as_date(row["joined_on"])
    row["last_done"] = _as_date(row["last_done"])
    row["due_on"] = campaign_cycle(campaign, as_of).due_for(row["joined_on"], as_of)
    return row


# For the learner's dashboard ---------------------------------------------------------


def assignments_for_user(user: User) -> list[dict]:
    """The learner's mandatory courses: one dict per (campaign, course).

    Keys: course (CoursePage), campaign_code, campaign_title, due_on (date), status
    (completed / in_progress / not_started / overdue / exempt). A course counts as
    completed when it is; the other statuses are the person's status in the campaign.
    Sorted with the nearest due date first. Empty for people not on the roster.
    """
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None or not profile.active:
        return []
    today = timezone.localdate()
    campaigns = (
        Campaign.objects.filter(active=True, starts_on__lte=today)
        .prefetch_related("units", "business_lines", "courses")
        .order_by("due_on", "code")
    )
    line_ids = list(profile.business_lines.values_list("id", flat=True))
    matched = [c for c in campaigns if profile_matches(c, profile, line_ids)]
    if not matched:
        return []
    course_ids = {course.id for c in matched for course in c.courses.all()}
    earliest = min(campaign_cycle(c, today).starts_on for c in matched)
    completions: dict[int, list[dt.date]] = {}
    for course_id, day in CourseCompletion.objects.filter(
        user=user,
        course_id__in=course_ids,
        superseded=False,
        completed_on__gte=earliest,
        completed_on__lte=today,
    ).values_list("course_id", "completed_on"):
        completions.setdefault(course_id, []).append(day)
    result = []
    for campaign in matched:
        row = person_status(campaign, profile, today)
        if row is None:
            continue
        start = campaign_cycle(campaign, today).starts_on
        for course in sorted(campaign.courses.all(), key=lambda c: c.code):
            done = any(day >= start for day in completions.get(course.id, []))
            result.append(
                {
                    "course": course,
                    "campaign_code": campaign.code,
                    "campaign_title": campaign.title,
                    "due_on": row["due_on"],
                    "status": "completed" if done else row["status"],
                }
            )
    result.sort(key=lambda item: (item["due_on"], item["campaign_code"]))
    return result


# Notifications ------------------------------------------------------------------------


def unread_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    # Read with the signed-in user (organisation.backends) on every request.
    known = getattr(user, "_unread_notifications", None)
    if known is not None:
        return known
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)
