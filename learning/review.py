"""A course is reviewed as one unit: the course page, its changed lessons and the draft
quizzes they use go through one review and are published together.

Guarantees:

- Lessons take no review of their own (``LessonPage.get_workflow`` is None): a trainer
  saves lesson drafts, and submitting the course submits them with it.
- Approving the course publishes, in one transaction, every lesson that is new or has
  unpublished changes, marks the draft quizzes the course and those lessons use as
  ready, then publishes the course. A rejection publishes nothing: every draft stays
  with its author.
- A course with no lesson is never published by a review: it cannot be submitted, and
  a review that finds its lessons gone sends the course back instead of approving it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from wagtail.models import Page, Revision

from assessments.models import Quiz

from .models import CoursePage, LessonPage


@dataclass
class LessonChange:
    lesson: LessonPage
    revision: Revision | None
    # "new": never published; "changed": published, with a newer draft.
    kind: str


@dataclass
class CourseBundle:
    """What one review of a course covers."""

    course: CoursePage
    lessons: list[LessonChange] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)
    lesson_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.lessons and not self.quizzes


def _latest(page: Page) -> Page:
    """The page as its latest revision has it (drafts included)."""
    revision = page.get_latest_revision()
    return revision.as_object() if revision is not None else page


def _quiz_ids_of(lesson: LessonPage) -> set[int]:
    ids = set()
    for block in lesson.body:
        if block.block_type == "quiz":
            quiz = block.value.get("quiz")
            if quiz is not None:
                ids.add(quiz.pk if hasattr(quiz, "pk") else int(quiz))
    return ids


def course_lessons(*, course: Page) -> list[LessonPage]:
    """Every lesson of the course, live or draft, in the course's order."""
    return list(LessonPage.objects.child_of(course).order_by("path"))


def course_bundle(*, course: CoursePage) -> CourseBundle:
    """The lessons and quizzes that approving ``course`` would publish."""
    lessons = course_lessons(course=course)
    bundle = CourseBundle(course=course, lesson_count=len(lessons))
    quiz_ids: set[int] = set()
    latest_course = _latest(course)
    if latest_course.final_quiz_id:
        quiz_ids.add(latest_course.final_quiz_id)
    for lesson in lessons:
        if not lesson.live or lesson.has_unpublished_changes:
            bundle.lessons.append(
                LessonChange(
                    lesson=lesson,
                    revision=lesson.get_latest_revision(),
                    kind="changed" if lesson.live else "new",
                )
            )
        quiz_ids |= _quiz_ids_of(_latest(lesson))
    bundle.quizzes = list(
        Quiz.objects.filter(pk__in=quiz_ids, draft=True).order_by("title")
    )
    return bundle


@transaction.atomic
def course_bundle_publish(*, course: CoursePage, user) -> CourseBundle:
    """Publish the course's changed lessons and ready its draft quizzes (the course
    page itself is published by the workflow that calls this)."""
    bundle = course_bundle(course=course)
    for change in bundle.lessons:
        revision = change.revision
        if revision is None:
            revision = change.lesson.save_revision(user=user, log_action=False)
        revision.publish(user=user)
    if bundle.quizzes:
        Quiz.objects.filter(pk__in=[q.pk for q in bundle.quizzes]).update(draft=False)
    return bundle
