"""A course is reviewed as one unit: the course page, its changed lessons and the draft
quizzes they use go through one review and are published together.

Guarantees:

- Lessons take no review of their own (``LessonPage.get_workflow`` is None): a trainer
  saves lesson drafts, and submitting the course submits them with it.
- Submitting records, on the review's task state, the revision of every lesson that is
  new or has unpublished changes. Approving publishes exactly those revisions, never a
  draft saved later: the reviewer approves what was submitted, and the panel shows them
  any newer draft, which stays a draft for the next review.
- While the course is in review its lessons are locked for everyone
  (``course_review_lock``); a reviewer who wants a lesson changed requests changes.
- Approving the course publishes, in one transaction, the submitted lessons, marks the
  draft quizzes the course and those lessons use as ready, then publishes the course.
  A rejection publishes nothing: every draft stays with its author.
- A course with no lesson is never published by a review: it cannot be submitted, and
  a review that finds its lessons gone sends the course back instead of approving it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.locks import BaseLock
from wagtail.models import Page, Revision, TaskState

from assessments.models import Quiz

from .models import CoursePage, CourseReviewTaskState, LessonPage


@dataclass
class LessonChange:
    lesson: LessonPage
    # The revision approval publishes: the submitted one while the course is in review.
    revision: Revision | None
    # "new": never published; "changed": published, with a newer draft.
    kind: str
    # A draft saved after the course was submitted: not part of this review.
    newer_draft: Revision | None = None


@dataclass
class CourseBundle:
    """What one review of a course covers."""

    course: CoursePage
    lessons: list[LessonChange] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)
    lesson_count: int = 0
    # True while the course is in review: the lessons are the submitted revisions.
    in_review: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.lessons and not self.quizzes

    @property
    def newer_drafts(self) -> list[LessonChange]:
        return [change for change in self.lessons if change.newer_draft is not None]


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


def _unpublished(lesson: LessonPage) -> bool:
    return not lesson.live or lesson.has_unpublished_changes


def course_lessons(*, course: Page) -> list[LessonPage]:
    """Every lesson of the course, live or draft, in the course's order."""
    return list(LessonPage.objects.child_of(course).order_by("path"))


def course_review_state(*, course: Page) -> CourseReviewTaskState | None:
    """The course's review in progress, if it recorded what was submitted."""
    task_state = course.current_workflow_task_state
    if isinstance(task_state, CourseReviewTaskState):
        return task_state
    return None


def _submitted_revisions(task_state: CourseReviewTaskState) -> dict[int, Revision]:
    """Lesson pk → the revision submitted with the course."""
    return {
        int(revision.object_id): revision
        for revision in task_state.lesson_revisions.all()
    }


def _draft_change(lesson: LessonPage) -> LessonChange | None:
    """Outside a review: the lesson's latest draft, if unpublished."""
    if not _unpublished(lesson):
        return None
    return LessonChange(
        lesson=lesson,
        revision=lesson.get_latest_revision(),
        kind="changed" if lesson.live else "new",
    )


def _submitted_change(
    lesson: LessonPage, submitted: dict[int, Revision]
) -> LessonChange | None:
    """In review: the submitted revision, and any draft saved after it."""
    revision = submitted.get(lesson.pk)
    latest = lesson.get_latest_revision()
    newer = None
    if latest is not None and _unpublished(lesson):
        if revision is None or latest.pk > revision.pk:
            newer = latest
    if revision is None and newer is None:
        return None
    return LessonChange(
        lesson=lesson,
        revision=revision,
        kind="changed" if lesson.live else "new",
        newer_draft=newer,
    )


def course_bundle(
    *, course: CoursePage, task_state: TaskState | None = None
) -> CourseBundle:
    """The lessons and quizzes that approving ``course`` would publish.

    In review (``task_state`` given, or the course's review in progress) these are the
    lessons as submitted; otherwise the latest drafts."""
    if task_state is None:
        task_state = course_review_state(course=course)
    else:
        task_state = task_state.specific
    submitted = (
        _submitted_revisions(task_state)
        if isinstance(task_state, CourseReviewTaskState)
        else None
    )
    lessons = course_lessons(course=course)
    bundle = CourseBundle(
        course=course, lesson_count=len(lessons), in_review=submitted is not None
    )
    quiz_ids: set[int] = set()
    latest_course = _latest(course)
    if latest_course.final_quiz_id:
        quiz_ids.add(latest_course.final_quiz_id)
    for lesson in lessons:
        change = (
            _submitted_change(lesson, submitted)
            if submitted is not None
            else _draft_change(lesson)
        )
        if change is not None:
            bundle.lessons.append(change)
        if change is not None and change.revision is not None:
            quiz_ids |= _quiz_ids_of(change.revision.as_object())
        elif submitted is None or lesson.live:
            # The page's own content: in review, a newer draft is not part of it.
            quiz_ids |= _quiz_ids_of(lesson)
    bundle.quizzes = list(
        Quiz.objects.filter(pk__in=quiz_ids, draft=True).order_by("title")
    )
    return bundle


@transaction.atomic
def course_submission_record(*, task_state: CourseReviewTaskState, user) -> None:
    """Record the lesson revisions a review of the course covers (at submission)."""
    course = task_state.workflow_state.content_object
    revisions = []
    for lesson in course_lessons(course=course):
        if not _unpublished(lesson):
            continue
        revision = lesson.get_latest_revision()
        if revision is None:
            revision = lesson.save_revision(user=user, log_action=False)
        revisions.append(revision)
    task_state.lesson_revisions.set(revisions)


@transaction.atomic
def course_bundle_publish(
    *, course: CoursePage, user, task_state: TaskState | None = None
) -> CourseBundle:
    """Publish the course's submitted lessons and ready its draft quizzes (the course
    page itself is published by the workflow that calls this). A review started before
    submissions were recorded publishes the latest drafts."""
    bundle = course_bundle(course=course, task_state=task_state)
    for change in bundle.lessons:
        revision = change.revision
        if revision is None:
            if bundle.in_review:
                continue  # added or first saved after submission: not reviewed
            revision = change.lesson.save_revision(user=user, log_action=False)
        revision.publish(user=user)
    if bundle.quizzes:
        Quiz.objects.filter(pk__in=[q.pk for q in bundle.quizzes]).update(draft=False)
    return bundle


class CourseInReviewLock(BaseLock):
    """A lesson cannot change while its course is in review: what the reviewer reads
    is what approval publishes."""

    def __init__(self, lesson: LessonPage, course: Page):
        super().__init__(lesson)
        self.course = course

    def for_user(self, user) -> bool:
        return True

    def get_message(self, user):
        return format_html(
            "{}",
            _(
                "The course “%(course)s” is in review, so its lessons cannot be "
                "changed until the review ends. To change this lesson, the reviewer "
                "requests changes to the course."
            )
            % {"course": self.course.title},
        )

    def get_locked_by(self, user):
        return _("Locked by the course review")

    def get_description(self, user):
        return _("No one can change a lesson while its course is in review")


def course_review_lock(*, lesson: LessonPage) -> CourseInReviewLock | None:
    course = lesson.get_parent()
    if course is not None and course.workflow_in_progress:
        return CourseInReviewLock(lesson, course)
    return None
