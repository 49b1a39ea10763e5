"""Services: lesson progress, course completion, certificates and material changes.

Every write of learner state goes through here. Completion is recorded once per
course version (a database constraint backs this up), with the local date.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.batch import run_isolated

from .models import (
    Certificate,
    CourseCompletion,
    CoursePage,
    LessonPage,
    LessonProgress,
)
from .selectors import (
    counts_since,
    course_requirements_met,
    courses_using_quiz,
    lesson_done,
    lessons_gated_by,
    quiz_passed,
    recent_passes,
)
from .video import videos_unwatched

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise
    from wagtail.models import Revision

    from assessments.models import Attempt

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class LearningError(Exception):
    """A learner action that cannot be done; the message is translated."""


def _course_of(lesson: LessonPage) -> CoursePage:
    course = CoursePage.objects.parent_of(lesson).first()
    if course is None:
        raise LearningError(_("This lesson does not belong to a course."))
    return course


def lesson_shown(
    *,
    user: User,
    lesson: LessonPage,
    course: CoursePage,
    progress: LessonProgress | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Record when the lesson was first shown to the learner (once: reopening it
    later does not restart the clock). ``progress`` is the learner's row for the
    lesson if the caller has read it already, so a repeat visit writes nothing."""
    since = lesson.material_change_at
    if progress is not None and counts_since(progress.shown_at, since):
        return
    now = now or timezone.now()
    # Shown before a material change named the lesson: the new material is shown
    # now, and the clock starts again.
    unseen = Q(shown_at__isnull=True)
    if since is not None:
        unseen |= Q(shown_at__lt=since)
    updated = (
        LessonProgress.objects.filter(user=user, lesson=lesson)
        .filter(unseen)
        .update(shown_at=now)
    )
    if not updated and progress is None:
        LessonProgress.objects.get_or_create(
            user=user, lesson=lesson, defaults={"course": course, "shown_at": now}
        )


def _completion_refusal(
    progress: LessonProgress | None, lesson: LessonPage, now: dt.datetime
) -> StrOrPromise | None:
    """Why the learner cannot mark the lesson done yet, or None.

    The server, not the browser, decides that the lesson was seen: it was rendered
    to this learner (``lesson_shown``) at least LESSON_MIN_SECONDS_SHOWN ago. Later
    conditions on what was seen (the lesson's videos watched to the end, once
    playback is recorded) belong here too.
    """
    if progress is None or not counts_since(
        progress.shown_at, lesson.material_change_at
    ):
        return _("Open the lesson and go through it before marking it done.")
    minimum = dt.timedelta(seconds=settings.LESSON_MIN_SECONDS_SHOWN)
    if now - progress.shown_at < minimum:
        return _(
            "You opened this lesson only a moment ago. Go through it, then mark it "
            "done."
        )
    if videos_unwatched(user=progress.user, lesson=lesson):
        return _("Watch the lesson's video to the end before marking it done.")
    return None


@transaction.atomic
def lesson_mark_done(
    *, user: User, lesson: LessonPage, now: dt.datetime | None = None
) -> LessonProgress:
    """Record that the learner finished reading a lesson.

    The lesson is complete at once, or, when it embeds a quiz that must be passed,
    as soon as that quiz is passed (see ``attempt_finished_handle``). Refused
    (LearningError) for a lesson not shown to the learner, or shown too recently.
    """
    if not getattr(user, "is_authenticated", False):
        raise LearningError(_("Sign in to record your progress."))
    if not lesson.live:
        raise LearningError(_("This lesson is not published."))
    course = _course_of(lesson)
    if not course.live:
        raise LearningError(_("This course is not published."))
    now = now or timezone.now()
    progress = (
        LessonProgress.objects.select_for_update()
        .filter(user=user, lesson=lesson)
        .first()
    )
    refusal = _completion_refusal(progress, lesson, now)
    if refusal:
        raise LearningError(refusal)
    progress.marked_done_at = now  # type: ignore[union-attr]
    gate_ok = lesson.gate_quiz_id is None or quiz_passed(
        user=user, quiz=lesson.gate_quiz, since=lesson.material_change_at
    )
    if gate_ok and not lesson_done(progress, lesson):
        progress.completed_at = now  # type: ignore[union-attr]
    progress.save(update_fields=["marked_done_at", "completed_at"])  # type: ignore[union-attr]
    course_completion_check(user=user, course=course)
    return progress  # type: ignore[return-value]


@transaction.atomic
def course_completion_check(
    *, user: User, course: CoursePage
) -> CourseCompletion | None:
    """Record the completion of the course's current version once, when earned.

    Earned: every lesson the completion rule counts is done and the final quiz, if
    there is one, is passed. Returns the completion of the current version or None.
    """
    existing = CourseCompletion.objects.filter(
        user=user, course=course, version=course.content_version
    ).first()
    if existing is not None:
        return existing
    if not course_requirements_met(course=course, user=user):
        return None
    score = _final_score(user=user, course=course)
    try:
        with transaction.atomic():
            completion = CourseCompletion.objects.create(
                user=user,
                course=course,
                version=course.content_version,
                completed_on=timezone.localdate(),
                source=CourseCompletion.Source.ONLINE,
                score=score,
            )
    except IntegrityError:
        # Two requests finished the course together: the other one recorded it.
        return CourseCompletion.objects.get(
            user=user, course=course, version=course.content_version
        )
    certificate_issue(completion=completion)
    return completion


def _final_score(*, user, course: CoursePage) -> Decimal | None:
    if not course.final_quiz_id:
        return None
    from assessments.models import Attempt

    passes = Attempt.objects.filter(
        user=user, quiz_id=course.final_quiz_id, passed=True
    )
    if course.final_quiz_changed_at is not None:
        passes = passes.filter(finished_at__gte=course.final_quiz_changed_at)
    best = (
        passes.order_by("-score_percent")
        .values_list("score_percent", flat=True)
        .first()
    )
    return best


@transaction.atomic
def course_completion_record(
    *,
    user: User,
    course: CoursePage,
    completed_on: dt.date,
    source: str = CourseCompletion.Source.OFFLINE,
    score: Decimal | None = None,
) -> tuple[CourseCompletion, bool]:
    """Record a completion made elsewhere (offline training) for the current version.

    Returns (completion, created); an existing completion of the version is kept.
    """
    completion, created = CourseCompletion.objects.get_or_create(
        user=user,
        course=course,
        version=course.content_version,
        defaults={"completed_on": completed_on, "source": source, "score": score},
    )
    if created:
        certificate_issue(completion=completion)
    return completion, created


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


def certificate_issue(*, completion: CourseCompletion) -> Certificate:
    """The certificate of a completion, with a unique verification code (idempotent)."""
    existing = Certificate.objects.filter(completion=completion).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    completion=completion, code=_new_code()
                )
        except IntegrityError:
            existing = Certificate.objects.filter(completion=completion).first()
            if existing is not None:
                return existing
    raise LearningError(_("Could not issue a certificate; please try again."))


@transaction.atomic
def course_apply_material_change(
    *, course: CoursePage, revision: Revision | None = None
) -> int:
    """Start a new version of a course published as a material change.

    Only what the author marked changed must be done again: the lessons named in
    ``changed_lessons`` and, with ``final_quiz_changed``, the final quiz (with
    neither, the whole course). Progress on those made before now no longer
    counts, and each changed lesson keeps the change note for the people who redo
    it; everything else a person did stays done. Bumps ``content_version``, flags
    the completions of earlier versions as superseded (so campaigns count those
    people in progress until they have redone the changed parts), clears the
    material-change fields on the page and its published revision, and returns
    the number of completions flagged.
    """
    now = timezone.now()
    current = CoursePage.objects.select_for_update().get(pk=course.pk)
    new_version = current.content_version + 1
    lessons = LessonPage.objects.child_of(current)
    named = {lesson.pk for lesson in course.changed_lessons.all()}
    whole = not named and not course.final_quiz_changed
    changed = lessons if whole else lessons.filter(pk__in=named)
    note = (course.change_note or "").strip()
    changed.update(material_change_at=now, change_note=note)
    final_quiz_changed_at = current.final_quiz_changed_at
    if whole or course.final_quiz_changed:
        final_quiz_changed_at = now
    CoursePage.objects.filter(pk=course.pk).update(
        content_version=new_version,
        content_version_since=now,
        final_quiz_changed_at=final_quiz_changed_at,
        material_change=False,
        final_quiz_changed=False,
        change_note="",
    )
    CoursePage.changed_lessons.through.objects.filter(coursepage_id=course.pk).delete()
    course.content_version = new_version
    course.content_version_since = now
    course.final_quiz_changed_at = final_quiz_changed_at
    course.material_change = False
    course.final_quiz_changed = False
    course.change_note = ""
    course.changed_lessons.set([])
    cleared = {
        "material_change": False,
        "changed_lessons": [],
        "final_quiz_changed": False,
        "change_note": "",
        "content_version": new_version,
    }
    for rev in {r for r in (revision, current.latest_revision) if r is not None}:
        rev.content = {**rev.content, **cleared}
        rev.save(update_fields=["content"])
    return CourseCompletion.objects.filter(
        course_id=course.pk, version__lt=new_version, superseded=False
    ).update(superseded=True)


def attempt_finished_handle(*, attempt: Attempt) -> list[CourseCompletion]:
    """A quiz attempt finished: complete gated lessons and re-check the courses."""
    if not attempt.passed:
        return []
    user = attempt.user
    now = timezone.now()
    gated = lessons_gated_by(quiz_id=attempt.quiz_id).values_list(
        "pk", "material_change_at"
    )
    for lesson_id, since in gated:
        # Marked done (for the lesson's current material) and waiting for this
        # quiz; a pass from before the lesson changed does not count.
        waiting = LessonProgress.objects.filter(
            user=user, lesson_id=lesson_id, marked_done_at__isnull=False
        )
        if since is None:
            waiting = waiting.filter(completed_at__isnull=True)
        elif attempt.finished_at is None or attempt.finished_at < since:
            continue
        else:
            waiting = waiting.filter(marked_done_at__gte=since).filter(
                Q(completed_at__isnull=True) | Q(completed_at__lt=since)
            )
        waiting.update(completed_at=now)
    results = []
    for course in courses_using_quiz(quiz_id=attempt.quiz_id):
        completion = course_completion_check(user=user, course=course)
        if completion is not None:
            results.append(completion)
    return results


def completions_reconcile(*, since: dt.datetime) -> int:
    """Apply again the passed attempts finished since ``since``; returns how many.

    ``attempt_finished_handle`` runs in the process that finished the attempt, after
    its transaction commits. If that process dies in between, the attempt is kept but
    the lessons it unlocks and the course it completes are not recorded; this periodic
    pass records them (the handler changes nothing the second time).
    """
    passes = recent_passes(since=since)
    # One attempt whose follow-up raises is logged; the others are still recorded.
    outcome = run_isolated(
        passes,
        lambda attempt: attempt_finished_handle(attempt=attempt),
        what="recording completions of an attempt",
        label=lambda attempt: attempt.pk,
    )
    return outcome.done
