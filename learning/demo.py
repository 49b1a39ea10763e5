"""Demo: the course catalogue "课程中心", six courses, and a spread of learner progress.

Idempotent: courses that exist are left as they are (a trainer may have edited
them), and progress is only seeded once. Pseudo-random choices use a fixed seed.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from cms.services import site_ensure_home
from organisation.models import BusinessLine, Indicator, StaffProfile

from .authoring import course_catalogue_ensure
from .content import COURSES
from .models import (
    Certificate,
    CourseCompletion,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    LessonProgress,
)
from .services import CODE_ALPHABET

LAGGING_UNIT = "G0301"
DEMO_LEARNER = "staff"


def _quiz(slug: str | None):
    if not slug:
        return None
    from assessments.models import Quiz

    return Quiz.objects.filter(slug=slug).first()


def _body(blocks: list[dict], indicators: dict[str, Indicator]) -> str:
    raw = []
    for block in blocks:
        block = json.loads(json.dumps(block))
        if block["type"] == "indicator_card":
            indicator = indicators.get(block["value"]["indicator"])
            if indicator is None:
                continue
            block["value"]["indicator"] = indicator.pk
        elif block["type"] == "quiz":
            quiz = _quiz(block["value"]["quiz"])
            if quiz is None:
                continue
            block["value"]["quiz"] = quiz.pk
        raw.append(block)
    return json.dumps(raw, ensure_ascii=False)


def build_course(*, index: CourseIndexPage, spec: dict) -> CoursePage:
    """Create one demo course with its lessons, published (skipped when it exists)."""
    existing = CoursePage.objects.filter(code=spec["code"]).first()
    if existing is not None:
        quiz = _quiz(spec.get("final_quiz"))
        if existing.final_quiz_id is None and quiz is not None:
            # The quiz arrived after the course (the assessments demo ran later).
            existing.final_quiz = quiz
            existing.save_revision().publish()
        return existing
    indicators = {i.code: i for i in Indicator.objects.all()}
    course = index.add_child(
        instance=CoursePage(
            title=spec["title"],
            slug=spec["code"].lower(),
            code=spec["code"],
            summary=spec["summary"],
            class_hours=Decimal(spec["class_hours"]),
            mandatory=spec["mandatory"],
            audience_note=spec["audience"],
            keywords=spec["keywords"],
            final_quiz=_quiz(spec.get("final_quiz")),
        )
    )
    course.business_lines.set(BusinessLine.objects.filter(code__in=spec["lines"]))
    course.indicators.set(
        [indicators[c] for c in spec["indicators"] if c in indicators]
    )
    course.save_revision().publish()
    for number, lesson in enumerate(spec["lessons"], start=1):
        page = course.add_child(
            instance=LessonPage(
                title=lesson["title"],
                slug=f"lesson-{number}",
                body=_body(lesson["body"], indicators),
                estimated_minutes=lesson.get("minutes", 15),
                required=lesson.get("required", True),
            )
        )
        page.save_revision().publish()
    return course


def build_courses(*, home=None) -> dict[str, CoursePage]:
    """The catalogue and the six demo courses; returns them by code."""
    home = home or site_ensure_home()
    index = course_catalogue_ensure(home=home)
    courses = {spec["code"]: build_course(index=index, spec=spec) for spec in COURSES}
    # Recommended order: the indicator overview before the 案-件比 course.
    ind102, ind101 = courses.get("IND-102"), courses.get("IND-101")
    if ind102 and ind101 and not ind102.prerequisites.exists():
        ind102.prerequisites.add(ind101)
        ind102.save_revision().publish()
    from cms.search import rebuild_index

    rebuild_index()
    return courses


# Progress -------------------------------------------------------------------------


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(12))


def _done_rows(
    user, course: CoursePage, lessons: list, day: dt.date, rng: random.Random
) -> list[LessonProgress]:
    """The lessons marked done on ``day``, each at its own random time."""
    rows = []
    for lesson in lessons:
        moment = _aware(day, rng)
        rows.append(
            LessonProgress(
                user=user,
                lesson=lesson,
                course=course,
                marked_done_at=moment,
                completed_at=moment,
            )
        )
    return rows


def seed_progress(*, courses: dict[str, CoursePage], today: dt.date | None = None):
    """A spread of progress: LAW-101 done by most, G0301 lagging, electives by some."""
    if CourseCompletion.objects.filter(course__in=courses.values()).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(20261126)
    lessons = {
        code: list(LessonPage.objects.child_of(course).live().order_by("path"))
        for code, course in courses.items()
    }
    staff = list(
        StaffProfile.objects.filter(active=True)
        .select_related("unit", "user")
        .order_by("staff_no")
    )
    # (share completing, share part-way) per course; LAW-101 is mandatory for all.
    rates = {
        "LAW-101": (0.75, 0.12),
        "IND-101": (0.30, 0.15),
        "IND-102": (0.22, 0.12),
        "CRM-201": (0.18, 0.10),
        "PIL-201": (0.10, 0.06),
        "SKL-101": (0.15, 0.08),
    }
    progress_rows, completion_rows = [], []
    for person in staff:
        if person.user.username == DEMO_LEARNER:
            continue
        lagging = f"/{LAGGING_UNIT}/" in f"/{person.unit.path}"
        for code, course in courses.items():
            done_share, partial_share = rates.get(code, (0.1, 0.05))
            if code == "LAW-101" and lagging:
                done_share, partial_share = 0.30, 0.20
            roll = rng.random()
            course_lessons = lessons[code]
            if roll < done_share:
                day = today - dt.timedelta(days=rng.randint(0, 59))
                progress_rows += _done_rows(
                    person.user, course, course_lessons, day, rng
                )
                completion_rows.append(
                    CourseCompletion(
                        user=person.user,
                        course=course,
                        completed_on=day,
                        version=course.content_version,
                        source=CourseCompletion.Source.ONLINE,
                    )
                )
            elif roll < done_share + partial_share and len(course_lessons) > 1:
                day = today - dt.timedelta(days=rng.randint(0, 30))
                some = course_lessons[: rng.randint(1, len(course_lessons) - 1)]
                progress_rows += _done_rows(person.user, course, some, day, rng)
    # The demo learner: IND-101 partly done, LAW-101 started but not complete.
    learner = get_user_model().objects.filter(username=DEMO_LEARNER).first()
    if learner is not None:
        for code, count in (("IND-101", 1), ("LAW-101", 1)):
            if code not in courses:
                continue
            progress_rows += _done_rows(
                learner,
                courses[code],
                lessons[code][:count],
                today - dt.timedelta(days=3),
                rng,
            )
    LessonProgress.objects.bulk_create(
        progress_rows, batch_size=2000, ignore_conflicts=True
    )
    CourseCompletion.objects.bulk_create(completion_rows, batch_size=2000)
    saved = CourseCompletion.objects.filter(course__in=courses.values()).order_by("pk")
    codes: set[str] = set()
    certificates = []
    for completion in saved:
        code = _code(rng)
        while code in codes:
            code = _code(rng)
        codes.add(code)
        certificates.append(Certificate(completion=completion, code=code))
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    return len(completion_rows)


def seed(*, stdout=None) -> None:
    courses = build_courses()
    completions = seed_progress(courses=courses)
    if stdout:
        stdout.write(
            f"learning: {len(courses)} courses, "
            f"{LessonPage.objects.live().count()} lessons, "
            f"{completions} completions seeded"
        )
