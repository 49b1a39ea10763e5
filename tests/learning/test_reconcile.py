"""Completions earned by an attempt whose follow-up never ran are recorded by the
periodic reconciliation (the process that finished the attempt died after commit)."""

import datetime as dt

import pytest
from django.utils import timezone

from assessments.models import Attempt
from learning.models import CourseCompletion, LessonProgress
from learning.services import lesson_mark_done
from learning.tasks import reconcile_completions
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    make_quiz,
    pass_quiz,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


def test_a_pass_whose_follow_up_did_not_run_completes_the_course(index, learner):
    final = make_quiz("final-r")
    gate = make_quiz("gate-r")
    course = make_course(index, lessons=1, final_quiz=final)
    gated_course = make_course(index, lessons=1, gate_quiz=gate)
    lesson_mark_done(user=learner, lesson=lessons_of(course)[0])
    progress = lesson_mark_done(user=learner, lesson=lessons_of(gated_course)[0])
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
    lesson_mark_done(user=learner, lesson=lessons_of(course)[0])
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
