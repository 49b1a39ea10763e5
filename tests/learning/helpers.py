"""Building courses for tests through the same code the demo and trainers use."""

from __future__ import annotations

import json
from decimal import Decimal

from django.utils import timezone

from learning.authoring import course_catalogue_ensure
from learning.models import CoursePage, LessonPage

_counter = {"n": 0}


def catalogue(home):
    return course_catalogue_ensure(home=home)


def paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def make_course(
    index,
    *,
    code: str | None = None,
    title: str = "测试课程",
    lessons: int = 3,
    optional: int = 0,
    final_quiz=None,
    mandatory: bool = False,
    body: list[dict] | None = None,
    gate_quiz=None,
    summary: str = "课程简介",
    keywords: str = "",
) -> CoursePage:
    _counter["n"] += 1
    code = code or f"T-{_counter['n']:03d}"
    course = index.add_child(
        instance=CoursePage(
            title=title,
            slug=code.lower(),
            code=code,
            summary=summary,
            class_hours=Decimal("2"),
            mandatory=mandatory,
            final_quiz=final_quiz,
            keywords=keywords,
        )
    )
    course.save_revision().publish()
    for number in range(1, lessons + optional + 1):
        blocks = list(body or [paragraph(f"第{number}节的正文。")])
        if gate_quiz is not None and number == 1:
            blocks.append(
                {
                    "type": "quiz",
                    "value": {"quiz": gate_quiz.pk, "required_to_pass": True},
                }
            )
        lesson = course.add_child(
            instance=LessonPage(
                title=f"第{number}节",
                slug=f"lesson-{number}",
                body=json.dumps(blocks, ensure_ascii=False),
                required=number <= lessons,
            )
        )
        lesson.save_revision().publish()
    return CoursePage.objects.get(pk=course.pk)


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).live().order_by("path"))


def make_quiz(slug: str = "q-final", pass_mark: int = 60):
    from assessments.models import Quiz

    return Quiz.objects.create(
        title=f"测验 {slug}", slug=slug, pass_mark=pass_mark, draft=False
    )


def pass_quiz(user, quiz, score: str = "90"):
    from assessments.models import Attempt

    number = Attempt.objects.filter(user=user, quiz=quiz).count() + 1
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=number,
        status=Attempt.Status.FINISHED,
        finished_at=timezone.now(),
        score_percent=Decimal(score),
        passed=Decimal(score) >= quiz.pass_mark,
    )


def read_and_mark_done(*, user, lesson):
    """What a learner does: the lesson is shown to them (a minute ago, as its page
    records it), then they mark it done."""
    import datetime as dt

    from learning.services import lesson_mark_done, lesson_shown

    course = CoursePage.objects.parent_of(lesson).first()
    lesson_shown(
        user=user,
        lesson=lesson,
        course=course,
        now=timezone.now() - dt.timedelta(minutes=1),
    )
    return lesson_mark_done(user=user, lesson=lesson)


def publish_material_change(
    course, *, lessons=(), final_quiz: bool = False, note: str = ""
) -> CoursePage:
    """Publish the course as a material change naming ``lessons`` (and the final
    quiz), as a trainer does in the editor. What learners did so far is moved two
    hours back and the change one hour back, so that reading a lesson "a minute
    ago" (``read_and_mark_done``) falls after the change, as it would in real use.
    """
    import datetime as dt

    from django.db.models import F

    from assessments.models import Attempt
    from learning.models import LessonProgress

    earlier = dt.timedelta(hours=2)
    LessonProgress.objects.update(
        shown_at=F("shown_at") - earlier,
        marked_done_at=F("marked_done_at") - earlier,
        completed_at=F("completed_at") - earlier,
    )
    Attempt.objects.update(finished_at=F("finished_at") - earlier)
    course = CoursePage.objects.get(pk=course.pk)
    course.material_change = True
    course.changed_lessons.set([lesson.pk for lesson in lessons])
    course.final_quiz_changed = final_quiz
    course.change_note = note
    course.save_revision().publish()

    hour = dt.timedelta(hours=1)
    LessonPage.objects.child_of(course).filter(material_change_at__isnull=False).update(
        material_change_at=F("material_change_at") - hour
    )
    course = CoursePage.objects.get(pk=course.pk)
    for name in ("content_version_since", "final_quiz_changed_at"):
        if getattr(course, name) is not None:
            setattr(course, name, getattr(course, name) - hour)
    CoursePage.objects.filter(pk=course.pk).update(
        content_version_since=course.content_version_since,
        final_quiz_changed_at=course.final_quiz_changed_at,
    )
    return course
