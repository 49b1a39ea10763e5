"""xAPI 1.0.3 statements of what people did on the platform, as one ordered feed.

Statements are built on read from the rows that record the learning (they are not
stored twice): a lesson completed (``LessonProgress.completed_at``), a course
completed (``CourseCompletion``, online or imported), and a finished quiz attempt
(attempted, one answered per question, passed or failed, completed with
``result.score.scaled``), and a centralised class session attended
(``hours.Attendance``, signed in by code or entered from a paper sheet).

Guarantees, which the LRS push (``api.lrs``) relies on:

- A statement's id is a UUID 5 of the platform's namespace and its source row, so
  the same fact always has the same id, and an LRS drops a resent statement.
- The feed is ordered by a key ``(stored, kind, row, part)``; ``stored`` is when
  the fact became final (an attempt awaiting essay marking is final once the last
  mark is given). A cursor is such a key; the next page starts after it.
- Only facts older than ``XAPI_SETTLE_SECONDS`` are served, so a transaction that
  commits a little after a row's time still lands in a page not yet read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from assessments.models import Attempt, Response
from hours.models import Attendance
from learning.models import CourseCompletion, LessonProgress
from organisation.permissions import ALL, user_scope_paths
from organisation.selectors import staff_visible_to

VERSION = "1.0.3"
ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"
VERBS = {
    "completed": ("完成", "completed"),
    "attempted": ("尝试", "attempted"),
    "answered": ("作答", "answered"),
    "passed": ("通过", "passed"),
    "failed": ("未通过", "failed"),
    "attended": ("出席", "attended"),
}
# Kinds in feed order for facts stored at the same instant. A new kind takes the
# next number: delivery marks already stored hold these numbers.
LESSON, COURSE, ATTEMPT, ATTENDANCE = 0, 1, 2, 3
# A ``since`` timestamp sorts after every kind stored at that instant.
AFTER_ALL = 9


def base_url() -> str:
    return (settings.XAPI_BASE_URL or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def namespace() -> uuid.UUID:
    configured = settings.XAPI_NAMESPACE
    if configured:
        return uuid.UUID(configured)
    return uuid.uuid5(uuid.NAMESPACE_URL, base_url())


def statement_id(*parts) -> str:
    return str(uuid.uuid5(namespace(), ":".join(str(p) for p in parts)))


def activity_iri(kind: str, key) -> str:
    return f"{base_url()}/xapi/activities/{kind}/{key}"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _actor(staff_no: str) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": base_url(), "name": staff_no},
    }


def _verb(name: str) -> dict:
    zh, en = VERBS[name]
    return {"id": ADL_VERB + name, "display": {"zh-CN": zh, "en-US": en}}


def _activity(
    kind: str, key, activity_type: str, title: str, english: str = ""
) -> dict:
    name = {"zh-CN": title or str(key)}
    if english:
        name["en-US"] = english
    return {
        "objectType": "Activity",
        "id": activity_iri(kind, key),
        "definition": {"type": ADL_ACTIVITY + activity_type, "name": name},
    }


def _context(*parents: dict, registration: str | None = None) -> dict:
    context = {"platform": settings.WAGTAIL_SITE_NAME, "language": "zh-CN"}
    if parents:
        context["contextActivities"] = {
            "parent": [{"objectType": "Activity", "id": p["id"]} for p in parents]
        }
    if registration:
        context["registration"] = registration
    return context


def _statement(sid, staff_no, verb, activity, moment, **extra) -> dict:
    return {
        "id": sid,
        "actor": _actor(staff_no),
        "verb": _verb(verb),
        "object": activity,
        "timestamp": iso(moment),
        "version": VERSION,
        **extra,
    }


def _scaled(value) -> float:
    return float(max(Decimal(-1), min(Decimal(1), Decimal(value))))


# Sources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    stored: dt.datetime
    kind: int = AFTER_ALL
    row: int = 0
    part: int = 0

    def key(self) -> tuple:
        return (self.stored, self.kind, self.row, self.part)

    def as_list(self) -> list:
        return [self.stored.isoformat(), self.kind, self.row, self.part]

    @classmethod
    def from_list(cls, value) -> Cursor:
        stored, kind, row, part = value
        moment = dt.datetime.fromisoformat(stored)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return cls(moment, int(kind), int(row), int(part))


def _after(cursor: Cursor | None, kind: int) -> Q:
    """Rows of ``kind`` whose (stored, kind, row) is not before the cursor."""
    if cursor is None:
        return Q()
    if kind < cursor.kind:
        return Q(stored__gt=cursor.stored)
    if kind == cursor.kind:
        return Q(stored__gt=cursor.stored) | Q(stored=cursor.stored, pk__gte=cursor.row)
    return Q(stored__gte=cursor.stored)


def _scoped(rows: QuerySet, user) -> QuerySet:
    rows = rows.filter(user__profile__isnull=False)
    if user is None or user_scope_paths(user) is ALL:
        return rows
    people = staff_visible_to(user, include_inactive=True).values("user_id")
    return rows.filter(Q(user=user) | Q(user_id__in=people))


def _lessons(user, cursor, until, limit) -> list[tuple]:
    rows = (
        _scoped(LessonProgress.objects.filter(completed_at__isnull=False), user)
        .annotate(stored=F("completed_at"))
        .filter(_after(cursor, LESSON), stored__lte=until)
        .order_by("stored", "pk")
        .values(
            "pk",
            "stored",
            "lesson_id",
            "lesson__title",
            "course__code",
            "course__title",
            staff_no=F("user__profile__staff_no"),
        )[:limit]
    )
    found = []
    for r in rows:
        course = _activity("course", r["course__code"], "course", r["course__title"])
        lesson = _activity("lesson", r["lesson_id"], "lesson", r["lesson__title"])
        statement = _statement(
            statement_id("lesson-completed", r["pk"]),
            r["staff_no"],
            "completed",
            lesson,
            r["stored"],
            result={"completion": True},
            context=_context(course),
        )
        found.append(((r["stored"], LESSON, r["pk"], 0), statement))
    return found


def _courses(user, cursor, until, limit) -> list[tuple]:
    rows = (
        _scoped(CourseCompletion.objects.all(), user)
        .annotate(stored=F("created_at"))
        .filter(_after(cursor, COURSE), stored__lte=until)
        .order_by("stored", "pk")
        .values(
            "pk",
            "stored",
            "completed_on",
            "source",
            "source_text",
            "score",
            "version",
            "course__code",
            "course__title",
            staff_no=F("user__profile__staff_no"),
        )[:limit]
    )
    found = []
    for r in rows:
        online = r["source"] == CourseCompletion.Source.ONLINE
        moment = r["stored"] if online else _day_start(r["completed_on"])
        result: dict = {"completion": True}
        if r["score"] is not None:
            result["score"] = {"scaled": _scaled(r["score"] / 100)}
        context = _context()
        context["extensions"] = {
            f"{base_url()}/xapi/extensions/source": r["source"],
            f"{base_url()}/xapi/extensions/course-version": r["version"],
        }
        if r["source_text"]:
            context["extensions"][f"{base_url()}/xapi/extensions/training-form"] = r[
                "source_text"
            ]
        course = _activity("course", r["course__code"], "course", r["course__title"])
        statement = _statement(
            statement_id("course-completed", r["pk"]),
            r["staff_no"],
            "completed",
            course,
            moment,
            result=result,
            context=context,
        )
        found.append(((r["stored"], COURSE, r["pk"], 0), statement))
    return found


def _attempt_rows(user, cursor, until, limit) -> list[dict]:
    attempts = (
        _scoped(
            Attempt.objects.filter(
                status=Attempt.Status.FINISHED,
                preview=False,
                finished_at__isnull=False,
            ),
            user,
        )
        .annotate(marked=Max("items__response__marked_at"))
        .annotate(stored=Greatest("finished_at", Coalesce("marked", "finished_at")))
        .filter(_after(cursor, ATTEMPT), stored__lte=until)
        .order_by("stored", "pk")
        .values(
            "pk",
            "stored",
            "started_at",
            "finished_at",
            "score",
            "max_score",
            "score_percent",
            "passed",
            "counted",
            "quiz_id",
            "quiz__title",
            staff_no=F("user__profile__staff_no"),
        )[:limit]
    )
    return list(attempts)


def _attempt_statements(attempt: dict, responses: list[dict]) -> list[tuple]:
    pk, staff_no = attempt["pk"], attempt["staff_no"]
    quiz = _activity("quiz", attempt["quiz_id"], "assessment", attempt["quiz__title"])
    registration = statement_id("attempt", pk)
    context = _context(registration=registration)
    statements = [
        _statement(
            statement_id("attempt-attempted", pk),
            staff_no,
            "attempted",
            quiz,
            attempt["started_at"],
            context=context,
        )
    ]
    for response in responses:
        question = _activity(
            "question", response["code"], "cmi.interaction", response["code"]
        )
        result = {"completion": True}
        if response["fraction"] is not None:
            result["score"] = {"scaled": _scaled(response["fraction"])}
            result["success"] = response["fraction"] >= 1
        statements.append(
            _statement(
                statement_id("attempt-answered", pk, response["position"]),
                staff_no,
                "answered",
                question,
                response["saved_at"],
                result=result,
                context=_context(quiz, registration=registration),
            )
        )
    if attempt["counted"]:
        maximum = attempt["max_score"] or Decimal(0)
        raw = attempt["score"] or Decimal(0)
        score = {
            "scaled": _scaled((attempt["score_percent"] or 0) / Decimal(100)),
            "raw": float(raw),
            "min": float(min(Decimal(0), raw)),
            "max": float(max(maximum, raw)),
        }
        passed = bool(attempt["passed"])
        finished = attempt["finished_at"]
        statements.append(
            _statement(
                statement_id("attempt-judged", pk),
                staff_no,
                "passed" if passed else "failed",
                quiz,
                finished,
                result={"score": score, "success": passed, "completion": True},
                context=context,
            )
        )
        statements.append(
            _statement(
                statement_id("attempt-completed", pk),
                staff_no,
                "completed",
                quiz,
                finished,
                result={"score": score, "success": passed, "completion": True},
                context=context,
            )
        )
    return [
        ((attempt["stored"], ATTEMPT, pk, part), s) for part, s in enumerate(statements)
    ]


def _attempts(user, cursor, until, limit) -> list[tuple]:
    attempts = _attempt_rows(user, cursor, until, limit)
    responses: dict[int, list[dict]] = {a["pk"]: [] for a in attempts}
    rows = (
        Response.objects.filter(item__attempt_id__in=list(responses))
        .order_by("item__attempt_id", "item__position")
        .values(
            "fraction",
            "saved_at",
            attempt=F("item__attempt_id"),
            position=F("item__position"),
            code=F("item__question__code"),
        )
    )
    for row in rows:
        responses[row["attempt"]].append(row)
    found = []
    for attempt in attempts:
        found += _attempt_statements(attempt, responses[attempt["pk"]])
    return found


def _duration(hours: Decimal) -> str:
    """ISO 8601 duration of a number of hours (``PT3H30M``; ``PT0S`` for none)."""
    minutes = int((hours * 60).to_integral_value())
    whole, rest = divmod(minutes, 60)
    text = (f"{whole}H" if whole else "") + (f"{rest}M" if rest else "")
    return "PT" + (text or "0S")


def _class_activity(code: str, title: str) -> dict:
    return _activity(
        "class", code, "course", title, f"Centralised training class {code}"
    )


def _session_activity(row: dict) -> dict:
    on: dt.date = row["session__on"]
    title = f"{row['session__klass__title']} {on.year}年{on.month}月{on.day}日"
    if row["session__title"]:
        title += f" {row['session__title']}"
    english = f"Class {row['session__klass__code']}, session of {on.isoformat()}"
    return _activity("class-session", row["session_id"], "meeting", title, english)


def _attendance(user, cursor, until, limit) -> list[tuple]:
    rows = Attendance.objects.all()
    if user is not None and user_scope_paths(user) is not ALL:
        people = staff_visible_to(user, include_inactive=True).values("pk")
        rows = rows.filter(Q(staff__user=user) | Q(staff_id__in=people))
    rows = (
        rows.annotate(stored=F("recorded_at"))
        .filter(_after(cursor, ATTENDANCE), stored__lte=until)
        .order_by("stored", "pk")
        .values(
            "pk",
            "stored",
            "hours",
            "via",
            "session_id",
            "session__on",
            "session__title",
            "session__klass__code",
            "session__klass__title",
            staff_no=F("staff__staff_no"),
        )[:limit]
    )
    found = []
    for r in rows:
        klass = _class_activity(r["session__klass__code"], r["session__klass__title"])
        context = _context()
        # The class goes with its definition so an LRS can name it in reports.
        context["contextActivities"] = {"parent": [klass]}
        context["extensions"] = {f"{base_url()}/xapi/extensions/sign-in": r["via"]}
        # Signed in by code: the moment of signing in; from a paper sheet entered
        # later: the session's day (Beijing time), as for imported completions.
        by_code = r["via"] == Attendance.Via.CODE
        moment = r["stored"] if by_code else _day_start(r["session__on"])
        result = {
            "duration": _duration(r["hours"]),
            "extensions": {
                f"{base_url()}/xapi/extensions/credited-hours": float(r["hours"])
            },
        }
        statement = _statement(
            statement_id("class-attended", r["pk"]),
            r["staff_no"],
            "attended",
            _session_activity(r),
            moment,
            result=result,
            context=context,
        )
        found.append(((r["stored"], ATTENDANCE, r["pk"], 0), statement))
    return found


SOURCES = (_lessons, _courses, _attempts, _attendance)


@dataclass
class StatementPage:
    statements: list[dict]
    # The key of the last statement when more may follow, else None.
    next_cursor: Cursor | None
    # The key of the last statement of the page (None for an empty page).
    last_cursor: Cursor | None = None


def statements_page(
    *, user, cursor: Cursor | None, limit: int, now: dt.datetime | None = None
) -> StatementPage:
    """Up to ``limit`` statements after ``cursor`` that ``user`` may see (every
    statement for ``user=None``: the LRS push), in feed order.

    Each source reads at most ``limit + 1`` rows (the cursor's own row may come
    back). A source that filled its share may hold more rows after its last one,
    so nothing past that row is served in this page; the next page reads on.
    """
    until = (now or timezone.now()) - dt.timedelta(seconds=settings.XAPI_SETTLE_SECONDS)
    found, horizon = [], None
    for source in SOURCES:
        rows = source(user, cursor, until, limit + 1)
        found += rows
        if len({key[:3] for key, _s in rows}) > limit:
            stored, kind, row, _part = max(key for key, _s in rows)
            edge = (stored, kind, row, float("inf"))
            horizon = edge if horizon is None else min(horizon, edge)
    start = cursor.key() if cursor else None
    found = sorted(
        (item for item in found if start is None or item[0] > start),
        key=lambda item: item[0],
    )
    if horizon is not None:
        found = [item for item in found if item[0] <= horizon]
    more = len(found) > limit or horizon is not None
    found = found[:limit]
    last = Cursor(*found[-1][0]) if found else None
    return StatementPage(
        statements=[s for _k, s in found],
        next_cursor=last if more else None,
        last_cursor=last,
    )
