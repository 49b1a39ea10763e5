"""Selectors: what a learner has done, read in a fixed number of queries.

A lesson counts as done when it was completed after the last material change of
the course that named it (``LessonPage.material_change_at``); a final quiz counts
as passed by attempts finished after the last change that named the quiz. So a
material change asks people to redo only what changed. Each function here
issues the same number of queries whatever the number of lessons or learners.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from organisation.models import BusinessLine, Indicator

from .models import (
    Certificate,
    CourseCompletion,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    LessonProgress,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from django.contrib.auth.models import User

    from assessments.models import Quiz

    from .sql import CourseRead

NOT_STARTED = "not_started"
AWAITING_QUIZ = "awaiting_quiz"
DONE = "done"


def passed_quiz_ids(*, user: User, quiz_ids: Iterable[int | None]) -> set[int]:
    """Which of these quizzes the user has passed, in one query."""
    return set(quiz_passes(user=user, quiz_ids=quiz_ids))


def quiz_passes(
    *, user: User, quiz_ids: Iterable[int | None]
) -> dict[int, dt.datetime]:
    """Quiz id → when the user last passed it, for those of these quizzes the user
    has passed, in one query."""
    from assessments.models import Attempt

    quiz_ids = {q for q in quiz_ids if q}
    if not quiz_ids or not getattr(user, "is_authenticated", False):
        return {}
    attempts = Attempt.objects.filter(
        user=user, quiz_id__in=quiz_ids, passed=True, status="finished"
    )
    names = {f.name for f in Attempt._meta.get_fields()}
    if "preview" in names:
        # A trainer trying out a quiz does not pass it.
        attempts = attempts.exclude(preview=True)
    if "counted" in names:
        attempts = attempts.filter(counted=True)
    return dict(
        attempts.values("quiz_id")
        .annotate(last=Max("finished_at"))
        .values_list("quiz_id", "last")
    )


def passed_since(
    passes: dict[int, dt.datetime], quiz_id: int | None, since: dt.datetime | None
) -> bool:
    """Whether ``passes`` (from quiz_passes) holds a pass of the quiz at or after
    ``since`` (any pass when ``since`` is None)."""
    if quiz_id not in passes:
        return False
    last = passes[quiz_id]
    return since is None or (last is not None and last >= since)


def quiz_passed(*, user: User, quiz: Quiz, since: dt.datetime | None = None) -> bool:
    from assessments.selectors import quiz_passed as assessments_quiz_passed

    return assessments_quiz_passed(user=user, quiz=quiz, since=since)


def counts_since(moment: dt.datetime | None, since: dt.datetime | None) -> bool:
    return moment is not None and (since is None or moment >= since)


def lesson_done(progress: LessonProgress | None, lesson: LessonPage) -> bool:
    """Completed after the last material change that named the lesson."""
    if progress is None:
        return False
    return counts_since(progress.completed_at, lesson.material_change_at)


def lesson_redo(progress: LessonProgress | None, lesson: LessonPage) -> bool:
    """The learner did an earlier version of the lesson, which a material change
    has since named: they are to do it again (and are shown the change note)."""
    return (
        progress is not None
        and progress.completed_at is not None
        and not lesson_done(progress, lesson)
    )


def course_lessons(course: CoursePage) -> list[LessonPage]:
    return list(
        LessonPage.objects.child_of(course)
        .live()
        .order_by("path")
        .only(
            "id",
            "title",
            "slug",
            "url_path",
            "path",
            "depth",
            "estimated_minutes",
            "required",
            "gate_quiz_id",
            "live",
            "material_change_at",
            "change_note",
        )
    )


def counted_lessons(course: CoursePage, lessons: list[LessonPage]) -> list[LessonPage]:
    if course.completion_rule == CoursePage.CompletionRule.ALL_LESSONS:
        return lessons
    return [lesson for lesson in lessons if lesson.required]


@dataclass
class LessonRow:
    lesson: LessonPage
    status: str
    number: int
    # Done in an earlier version and changed since: to be done again.
    redo: bool = False


@dataclass
class Outline:
    course: CoursePage
    rows: list[LessonRow]
    done: int = 0
    total: int = 0
    percent: int = 0
    resume: LessonPage | None = None
    final_quiz_passed: bool | None = None
    # Passed before a material change named the final quiz: to be passed again.
    final_quiz_redo: bool = False
    completion: CourseCompletion | None = None
    certificate: Certificate | None = None
    superseded: CourseCompletion | None = None
    prerequisites: list = field(default_factory=list)
    minutes: int = 0
    # The learner's progress rows, by lesson id.
    progress: dict = field(default_factory=dict)
    # Quiz id → when the learner last passed it, for the lessons' and final quizzes.
    passes: dict = field(default_factory=dict)

    @property
    def started(self) -> bool:
        return any(row.status != NOT_STARTED for row in self.rows)

    @property
    def final_quiz_next(self) -> bool:
        """Every lesson is done and the final quiz is what remains."""
        return self.resume is None and self.final_quiz_passed is False

    def neighbours(self, lesson: LessonPage):
        ids = [row.lesson.pk for row in self.rows]
        if lesson.pk not in ids:
            return None, None
        at = ids.index(lesson.pk)
        previous = self.rows[at - 1].lesson if at > 0 else None
        following = self.rows[at + 1].lesson if at + 1 < len(ids) else None
        return previous, following

    def row_for(self, lesson: LessonPage) -> LessonRow | None:
        return next((row for row in self.rows if row.lesson.pk == lesson.pk), None)


def course_outline(
    *,
    course: CoursePage,
    user: User,
    read: CourseRead | None = None,
    completions: bool = True,
) -> Outline:
    """Lessons of a course with the user's status for each, progress and completion.

    ``read`` is what ``learning.sql.course_rows`` read for this course and user when
    the page was routed (lessons, progress and passes: no further query for them);
    ``completions=False`` leaves the completion and certificate out (the lesson page
    shows neither)."""
    signed_in = getattr(user, "is_authenticated", False)
    progress: dict[int, LessonProgress] = {}
    found: list[CourseCompletion] = []
    passes: dict[int, dt.datetime] = {}
    if read is not None and read.course is not None and read.course.pk == course.pk:
        lessons = read.lessons
        if signed_in:
            progress, passes = read.progress, read.passes
    else:
        read = None
        lessons = course_lessons(course)
    if signed_in and completions:
        found = list(
            CourseCompletion.objects.filter(user=user, course=course)
            .select_related("certificate")
            .order_by("-version", "-completed_on")
        )
    if signed_in and read is None:
        progress = {
            p.lesson_id: p
            for p in LessonProgress.objects.filter(user=user, course=course)
        }
        passes = quiz_passes(
            user=user,
            quiz_ids=[lesson.gate_quiz_id for lesson in lessons]
            + [course.final_quiz_id],
        )
    rows = []
    for number, lesson in enumerate(lessons, start=1):
        record = progress.get(lesson.pk)
        if lesson_done(record, lesson):
            status = DONE
        elif record is not None and counts_since(
            record.marked_done_at, lesson.material_change_at
        ):
            status = AWAITING_QUIZ
        else:
            status = NOT_STARTED
        rows.append(
            LessonRow(
                lesson=lesson,
                status=status,
                number=number,
                redo=lesson_redo(record, lesson),
            )
        )
    counted = {lesson.pk for lesson in counted_lessons(course, lessons)}
    done = sum(1 for row in rows if row.lesson.pk in counted and row.status == DONE)
    outline = Outline(
        course=course,
        rows=rows,
        done=done,
        total=len(counted),
        progress=progress,
        passes=passes,
    )
    outline.percent = round(100 * done / len(counted)) if counted else 0
    outline.minutes = sum(lesson.estimated_minutes for lesson in lessons)
    # With every lesson done there is nothing to resume: the final quiz is next.
    outline.resume = next((row.lesson for row in rows if row.status != DONE), None)
    if course.final_quiz_id:
        outline.final_quiz_passed = passed_since(
            passes, course.final_quiz_id, course.final_quiz_changed_at
        )
        outline.final_quiz_redo = (
            not outline.final_quiz_passed and course.final_quiz_id in passes
        )
    current = [c for c in found if not c.superseded]
    if current:
        outline.completion = current[0]
        outline.certificate = getattr(current[0], "certificate", None)
    elif found:
        outline.superseded = found[0]
    return outline


def course_requirements_met(*, course: CoursePage, user: User) -> bool:
    """Every counted lesson done, and the final quiz passed (by the quiz's own rule)."""
    outline = course_outline(course=course, user=user)
    if outline.total == 0 and not course.final_quiz_id:
        return False
    if outline.done < outline.total:
        return False
    return course.final_quiz_id is None or quiz_passed(
        user=user, quiz=course.final_quiz, since=course.final_quiz_changed_at
    )


def lesson_context(
    *, lesson: LessonPage, user: User, read: CourseRead | None = None
) -> dict:
    """The lesson page's context; ``read`` as for ``course_outline``."""
    if read is not None and read.course is not None:
        course = read.course
    else:
        course = CoursePage.objects.live().parent_of(lesson).first()
        if course is None:
            course = lesson.get_parent().specific
    outline = course_outline(course=course, user=user, read=read, completions=False)
    previous, following = outline.neighbours(lesson)
    row = outline.row_for(lesson)
    # The outline has read the passes of every lesson's gate quiz already.
    passes = outline.passes
    if lesson.gate_quiz_id and lesson.gate_quiz_id not in {
        row.lesson.gate_quiz_id for row in outline.rows
    }:
        passes = quiz_passes(user=user, quiz_ids=[lesson.gate_quiz_id])
    passed = {
        quiz_id
        for quiz_id in passes
        if quiz_id == lesson.gate_quiz_id
        and passed_since(passes, quiz_id, lesson.material_change_at)
    }
    return {
        "course": course,
        "outline": outline,
        "row": row,
        "previous_lesson": previous,
        "next_lesson": following,
        "gate_quiz_passed": lesson.gate_quiz_id in passed,
        "passed_quiz_ids": passed,
    }


# The catalogue ----------------------------------------------------------------------


def catalogue_page() -> CourseIndexPage | None:
    return CourseIndexPage.objects.live().order_by("path").first()


def catalogue(*, index: CourseIndexPage, params: Mapping[str, str], user: User) -> dict:
    """Courses of the catalogue, filtered by business line, indicator and kind."""
    courses = (
        CoursePage.objects.child_of(index)
        .live()
        .select_related("cover_image")
        .prefetch_related("business_lines", "indicators")
        .order_by("-mandatory", "code")
    )
    line = (params.get("line") or "").strip()
    indicator = (params.get("indicator") or "").strip()
    kind = (params.get("kind") or "").strip()
    if line:
        courses = courses.filter(business_lines__code=line)
    if indicator:
        courses = courses.filter(indicators__code=indicator)
    if kind == "mandatory":
        courses = courses.filter(mandatory=True)
    elif kind == "elective":
        courses = courses.filter(mandatory=False)
    courses = list(courses.distinct())
    status = course_statuses(user=user, course_ids=[c.pk for c in courses])
    indicator_ids = CoursePage.indicators.through.objects.values("indicator_id")
    line_ids = CoursePage.business_lines.through.objects.values("businessline_id")
    return {
        "courses": courses,
        "course_status": status,
        "filters": {"line": line, "indicator": indicator, "kind": kind},
        "line_choices": list(BusinessLine.objects.filter(pk__in=line_ids)),
        "indicator_choices": list(Indicator.objects.filter(pk__in=indicator_ids)),
    }


def course_statuses(*, user: User, course_ids: Collection[int]) -> dict[int, str]:
    """course id → "completed" or "in_progress" for the user (absent: not started)."""
    if not getattr(user, "is_authenticated", False) or not course_ids:
        return {}
    status = dict.fromkeys(
        LessonProgress.objects.filter(
            user=user, course_id__in=course_ids, completed_at__isnull=False
        )
        .values_list("course_id", flat=True)
        .distinct(),
        "in_progress",
    )
    for course_id in CourseCompletion.objects.filter(
        user=user, course_id__in=course_ids, superseded=False
    ).values_list("course_id", flat=True):
        status[course_id] = "completed"
    return status


# The learner's dashboard ------------------------------------------------------------


@dataclass
class Dashboard:
    assignments: list[dict]
    in_progress: list[CoursePage]
    completions: list[CourseCompletion]
    overdue: list[dict]
    hours_this_year: Decimal
    hours_required: int
    mandatory_open: list[CoursePage]

    @property
    def hours_percent(self) -> int:
        if not self.hours_required:
            return 100
        return min(100, round(100 * float(self.hours_this_year) / self.hours_required))


def _assignments_for(user) -> list[dict]:
    from learning.campaigns.selectors import assignments_for_user

    return list(assignments_for_user(user))


def dashboard(*, user: User, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    completions = list(
        CourseCompletion.objects.filter(user=user)
        .select_related("course", "certificate")
        .order_by("-completed_on", "-pk")
    )
    current_ids = {c.course_id for c in completions if not c.superseded}
    started_ids = set(
        LessonProgress.objects.filter(user=user, completed_at__isnull=False)
        .values_list("course_id", flat=True)
        .distinct()
    )
    in_progress = list(
        CoursePage.objects.live()
        .filter(pk__in=started_ids - current_ids)
        .order_by("code")
    )
    hours = sum(
        (
            c.course.class_hours
            for c in completions
            if c.completed_on.year == today.year
        ),
        Decimal(0),
    )
    assignments = _assignments_for(user)
    overdue = [
        a
        for a in assignments
        if a.get("due_on") and a["due_on"] < today and a.get("status") != "completed"
    ]
    mandatory_open = list(
        CoursePage.objects.live()
        .filter(mandatory=True)
        .exclude(pk__in=current_ids)
        .order_by("code")
    )
    return Dashboard(
        assignments=assignments,
        in_progress=in_progress,
        completions=completions,
        overdue=overdue,
        hours_this_year=hours,
        hours_required=getattr(settings, "ANNUAL_ONLINE_HOURS", 50),
        mandatory_open=mandatory_open,
    )


# Certificates -----------------------------------------------------------------------


def certificate_get_for_user(*, user: User, code: str) -> Certificate | None:
    return (
        Certificate.objects.select_related(
            "completion__course", "completion__user__profile"
        )
        .filter(code=code, completion__user=user)
        .first()
    )


def certificate_get(*, code: str) -> Certificate | None:
    return (
        Certificate.objects.select_related(
            "completion__course", "completion__user__profile"
        )
        .filter(code=code)
        .first()
    )


def completions_of(*, user: User) -> QuerySet[CourseCompletion]:
    return CourseCompletion.objects.filter(user=user).select_related("course")


def recent_passes(*, since: dt.datetime) -> list:
    """The latest passed attempt per person and quiz finished since ``since``, for the
    quizzes that gate a lesson or close a course (one query for the quizzes, one for
    the attempts with their users)."""
    from assessments.models import Attempt

    quiz_ids = set(
        LessonPage.objects.filter(gate_quiz__isnull=False).values_list(
            "gate_quiz_id", flat=True
        )
    ) | set(
        CoursePage.objects.filter(final_quiz__isnull=False).values_list(
            "final_quiz_id", flat=True
        )
    )
    if not quiz_ids:
        return []
    attempts = (
        Attempt.objects.filter(
            quiz_id__in=quiz_ids,
            status="finished",
            passed=True,
            preview=False,
            counted=True,
            finished_at__gte=since,
        )
        .select_related("user")
        .order_by("user_id", "quiz_id", "-finished_at")
    )
    latest, seen = [], set()
    for attempt in attempts:
        key = (attempt.user_id, attempt.quiz_id)
        if key not in seen:
            seen.add(key)
            latest.append(attempt)
    return latest


def lessons_gated_by(*, quiz_id: int) -> QuerySet[LessonPage]:
    return LessonPage.objects.filter(gate_quiz_id=quiz_id)


def courses_using_quiz(*, quiz_id: int) -> QuerySet[CoursePage]:
    gated_paths = [
        p[:-4] for p in lessons_gated_by(quiz_id=quiz_id).values_list("path", flat=True)
    ]
    return CoursePage.objects.filter(Q(final_quiz_id=quiz_id) | Q(path__in=gated_paths))
