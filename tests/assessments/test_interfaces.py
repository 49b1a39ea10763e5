from decimal import Decimal

import pytest

from assessments import selectors, services
from assessments.models import Attempt, Quiz
from assessments.signals import attempt_finished
from tests.assessments.factories import make_question, make_quiz, right_keys, wrong_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(reference_data):
    questions = [make_question(f"Q{i}") for i in range(1, 5)]
    return make_quiz("demo-quiz", questions, pass_mark=75)


def _take(user, quiz, correct: int) -> Attempt:
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = {}
    for item in attempt.items.select_related("version"):
        key = right_keys(item)[0] if item.position <= correct else wrong_key(item)
        answers[item.position] = {"keys": [key]}
    services.attempt_save(attempt_id=attempt.pk, user=user, seq=0, answers=answers)
    return services.attempt_submit(attempt_id=attempt.pk, user=user)


def test_quiz_passed_follows_the_grading_method(learner, quiz):
    _take(learner, quiz, correct=4)
    _take(learner, quiz, correct=1)
    assert selectors.quiz_passed(user=learner, quiz=quiz) is True  # highest
    quiz.grading_method = Quiz.GradingMethod.LAST
    quiz.save()
    assert selectors.quiz_passed(user=learner, quiz=quiz) is False
    quiz.grading_method = Quiz.GradingMethod.AVERAGE
    quiz.save()
    assert selectors.quiz_grade(user=learner, quiz=quiz) == Decimal("62.50")
    assert selectors.quiz_passed(user=learner, quiz=quiz) is False


def test_attempt_finished_is_sent_once_after_commit(
    learner, quiz, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, attempt, **kwargs):
        received.append(attempt.pk)

    attempt_finished.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            attempt = _take(learner, quiz, correct=3)
            services.attempt_submit(attempt_id=attempt.pk, user=learner)
    finally:
        attempt_finished.disconnect(listener)
    assert received == [attempt.pk]


def test_scored_response_records_cover_platform_answers(learner, quiz):
    indicator_pairs = list(selectors.question_indicator_pairs())
    assert indicator_pairs == []
    _take(learner, quiz, correct=2)
    records = list(selectors.scored_response_records())
    assert len(records) == 4
    assert sorted(r["score"] for r in records) == [0, 0, 1, 1]
    assert {r["source"] for r in records} == {"platform"}
    assert all(r["points"] == 1 and r["answered_on"] for r in records)
