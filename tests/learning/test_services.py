import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from assessments.models import Attempt
from learning.models import Certificate, CourseCompletion, CoursePage, LessonProgress
from learning.selectors import course_outline
from learning.services import (
    LearningError,
    attempt_finished_handle,
    course_completion_check,
    course_completion_record,
    lesson_mark_done,
)
from learning.tasks import reconcile_completions
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    make_quiz,
    pass_quiz,
    publish_material_change,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


def test_marking_every_required_lesson_done_completes_the_course_once(index, learner):
    course = make_course(index, lessons=2)
    first, second = lessons_of(course)

    read_and_mark_done(user=learner, lesson=first)
    assert not CourseCompletion.objects.filter(user=learner).exists()

    read_and_mark_done(user=learner, lesson=second)
    read_and_mark_done(user=learner, lesson=second)
    course_completion_check(user=learner, course=course)

    completion = CourseCompletion.objects.get(user=learner, course=course)
    assert completion.version == 1
    assert completion.source == "online"
    assert completion.completed_on is not None
    assert Certificate.objects.filter(completion=completion).count() == 1


def test_optional_lessons_do_not_block_completion(index, learner):
    course = make_course(index, lessons=1, optional=2)
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    assert CourseCompletion.objects.filter(user=learner, course=course).exists()


def test_all_lessons_rule_counts_optional_lessons(index, learner):
    course = make_course(index, lessons=1, optional=1)
    CoursePage.objects.filter(pk=course.pk).update(completion_rule="all_lessons")
    course.refresh_from_db()
    first, optional = lessons_of(course)
    read_and_mark_done(user=learner, lesson=first)
    assert not CourseCompletion.objects.filter(user=learner).exists()
    read_and_mark_done(user=learner, lesson=optional)
    assert CourseCompletion.objects.filter(user=learner, course=course).exists()


def test_the_final_quiz_must_be_passed_before_the_course_is_complete(index, learner):
    quiz = make_quiz("final-a")
    course = make_course(index, lessons=1, final_quiz=quiz)
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    assert not CourseCompletion.objects.filter(user=learner).exists()

    failed = pass_quiz(learner, quiz, score="40")
    attempt_finished_handle(attempt=failed)
    assert not CourseCompletion.objects.filter(user=learner).exists()

    attempt = pass_quiz(learner, quiz, score="85")
    attempt_finished_handle(attempt=attempt)
    completion = CourseCompletion.objects.get(user=learner, course=course)
    assert completion.score == 85


def test_a_lesson_with_a_required_quiz_completes_when_the_quiz_is_passed(
    index, learner
):
    quiz = make_quiz("gate-a")
    course = make_course(index, lessons=1, gate_quiz=quiz)
    lesson = lessons_of(course)[0]
    assert lesson.gate_quiz_id == quiz.pk

    progress = read_and_mark_done(user=learner, lesson=lesson)
    assert progress.marked_done_at is not None
    assert progress.completed_at is None
    assert course_outline(course=course, user=learner).rows[0].status == (
        "awaiting_quiz"
    )

    attempt_finished_handle(attempt=pass_quiz(learner, quiz))

    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert CourseCompletion.objects.filter(user=learner, course=course).exists()


def test_the_attempt_finished_signal_rechecks_the_course(index, learner):
    from assessments.signals import attempt_finished

    quiz = make_quiz("final-signal")
    course = make_course(index, lessons=1, final_quiz=quiz)
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    attempt = pass_quiz(learner, quiz)
    attempt_finished.send(sender=Attempt, attempt=attempt)
    assert CourseCompletion.objects.filter(user=learner, course=course).exists()


def test_a_material_change_supersedes_earlier_completions(index, learner):
    course = make_course(index, lessons=1)
    lesson = lessons_of(course)[0]
    read_and_mark_done(user=learner, lesson=lesson)
    assert CourseCompletion.objects.get(user=learner).version == 1

    course = publish_material_change(course)

    assert course.content_version == 2
    assert course.material_change is False
    assert course.latest_revision.content["material_change"] is False
    old = CourseCompletion.objects.get(user=learner, course=course, version=1)
    assert old.superseded is True
    outline = course_outline(course=course, user=learner)
    assert outline.completion is None and outline.superseded == old
    assert outline.rows[0].status == "not_started"

    # Retaking the changed course (its lesson read anew) records version 2.
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    new = CourseCompletion.objects.get(user=learner, course=course, version=2)
    assert new.superseded is False


def test_publishing_without_a_material_change_keeps_completions(index, learner):
    course = make_course(index, lessons=1)
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    course.summary = "改了一个错别字"
    course.save_revision().publish()
    course.refresh_from_db()
    assert course.content_version == 1
    assert not CourseCompletion.objects.get(user=learner).superseded


def test_publishing_an_old_revision_does_not_roll_the_version_back(index, learner):
    course = make_course(index, lessons=1)
    old_revision = course.latest_revision
    course.material_change = True
    course.save_revision().publish()
    old_revision.publish()
    course.refresh_from_db()
    assert course.content_version == 2


def test_one_completion_per_version_is_enforced_by_the_database(index, learner):
    course = make_course(index, lessons=1)
    CourseCompletion.objects.create(
        user=learner, course=course, completed_on=dt.date(2026, 1, 5), version=1
    )
    with pytest.raises(IntegrityError):
        CourseCompletion.objects.create(
            user=learner, course=course, completed_on=dt.date(2026, 1, 6), version=1
        )


def test_offline_completions_are_recorded_once_with_a_certificate(index, learner):
    course = make_course(index, lessons=1)
    completion, created = course_completion_record(
        user=learner, course=course, completed_on=dt.date(2026, 3, 1)
    )
    again, created_again = course_completion_record(
        user=learner, course=course, completed_on=dt.date(2026, 3, 2)
    )
    assert created and not created_again and again.pk == completion.pk
    assert completion.source == "offline"
    assert completion.certificate.code


def test_an_unpublished_lesson_cannot_be_marked_done(index, learner):
    course = make_course(index, lessons=1)
    lesson = lessons_of(course)[0]
    lesson.unpublish()
    lesson.refresh_from_db()
    with pytest.raises(LearningError):
        lesson_mark_done(user=learner, lesson=lesson)
    assert not LessonProgress.objects.exists()


# Completions earned by an attempt whose follow-up never ran (the process that finished
# it died right after the commit) are recorded by the periodic reconciliation.


def test_a_pass_whose_follow_up_did_not_run_completes_the_course(index, learner):
    final = make_quiz("final-r")
    gate = make_quiz("gate-r")
    course = make_course(index, lessons=1, final_quiz=final)
    gated_course = make_course(index, lessons=1, gate_quiz=gate)
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    progress = read_and_mark_done(user=learner, lesson=lessons_of(gated_course)[0])
    # Attempts stored as a submit stores them, without the in-process follow-up.
    pass_quiz(learner, final, score="40")
    pass_quiz(learner, final, score="85")
    pass_quiz(learner, gate)
    assert not CourseCompletion.objects.filter(user=learner).exists()

    assert reconcile_completions.delay().get() == 2  # one per person and quiz

    completion = CourseCompletion.objects.get(user=learner, course=course)
    assert completion.score == 85
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert CourseCompletion.objects.filter(user=learner, course=gated_course).exists()
    # Running it again changes nothing.
    reconcile_completions.delay().get()
    assert CourseCompletion.objects.filter(user=learner).count() == 2


def test_old_failed_and_preview_attempts_are_left_alone(index, learner):
    quiz = make_quiz("final-o")
    course = make_course(index, lessons=1, final_quiz=quiz)
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    old = pass_quiz(learner, quiz)
    Attempt.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=5)
    )
    pass_quiz(learner, quiz, score="30")
    preview = pass_quiz(learner, quiz)
    Attempt.objects.filter(pk=preview.pk).update(preview=True)

    assert reconcile_completions.delay().get() == 0
    assert not CourseCompletion.objects.filter(user=learner).exists()
    assert LessonProgress.objects.filter(user=learner).count() == 1


def test_a_lesson_never_shown_to_the_learner_cannot_be_marked_done(index, learner):
    course = make_course(index, lessons=1)
    with pytest.raises(LearningError):
        lesson_mark_done(user=learner, lesson=lessons_of(course)[0])
    assert not LessonProgress.objects.exists()
    assert not CourseCompletion.objects.exists()
