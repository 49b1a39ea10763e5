"""Numbers no learner should be able to use to stop marking (security finding 2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import grading, services
from assessments.errors import AssessmentError
from assessments.models import Attempt, Response
from tests.assessments.factories import make_question, make_quiz
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

HOSTILE = ["1e999999999", "-1e999999999", "Infinity", "NaN", "1" * 40, "1e16"]


@pytest.fixture
def quiz(reference_data):
    question = make_question(
        "NUM-1",
        type="numeric",
        numeric_answer=Decimal("1.31"),
        tolerance=Decimal("0.01"),
    )
    return make_quiz("num", [question], time_limit_minutes=5)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_number_that_cannot_be_marked_is_refused_at_save(learner, quiz, text):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    with pytest.raises(AssessmentError) as refused:
        services.attempt_save(
            attempt_id=attempt.pk, user=learner, seq=0, answers={1: {"text": text}}
        )
    assert "15" in str(refused.value.message)
    assert Response.objects.get(item__attempt=attempt).answer == {}


def test_the_autosave_answers_a_clear_4xx_for_a_huge_number(client, learner, quiz):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    client.force_login(learner)
    response = client.post(
        reverse("assessments:save", args=[attempt.pk]),
        {"seq": 0, "answers": {"1": {"text": "1e999999999"}}},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "无法评分" in response.json()["error"]


def test_ordinary_numbers_are_still_accepted_and_marked(learner, quiz):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={1: {"text": "1:1.31"}}
    )
    assert services.attempt_submit(attempt_id=attempt.pk).score == Decimal("1.00")


@pytest.mark.parametrize("text", HOSTILE)
def test_grading_never_raises_on_a_stored_value(text):
    data = {"type": "numeric", "numeric_answer": "1.31", "tolerance": "0.01"}
    assert grading.fraction_for(data, {"text": text}) == 0
    stored_target = {"type": "numeric", "numeric_answer": text, "tolerance": text}
    assert grading.fraction_for(stored_target, {"text": "1.31"}) == 0


def test_a_stored_bad_value_cannot_stop_overdue_closing(learner, quiz, monkeypatch):
    other = StaffFactory(unit=learner.profile.unit).user
    bad = services.attempt_start(user=learner, quiz=quiz)
    good = services.attempt_start(user=other, quiz=quiz)
    # Written straight to the table, as data saved before the check existed.
    Response.objects.filter(item__attempt=bad).update(answer={"text": "1e999999999"})
    later = timezone.now() + dt.timedelta(minutes=6)
    assert services.attempt_close_overdue(now=later) == {"closed": 2, "failed": 0}
    assert Attempt.objects.get(pk=bad.pk).status == Attempt.Status.FINISHED
    assert Attempt.objects.get(pk=good.pk).status == Attempt.Status.FINISHED


def test_one_attempt_that_raises_does_not_stop_the_others(learner, quiz, monkeypatch):
    other = StaffFactory(unit=learner.profile.unit).user
    bad = services.attempt_start(user=learner, quiz=quiz)
    good = services.attempt_start(user=other, quiz=quiz)
    real = services.attempts.attempt_submit

    def submit(*, attempt_id, **kwargs):
        if attempt_id == bad.pk:
            raise ArithmeticError("a value nobody foresaw")
        return real(attempt_id=attempt_id, **kwargs)

    monkeypatch.setattr(services.attempts, "attempt_submit", submit)
    later = timezone.now() + dt.timedelta(minutes=6)
    assert services.attempt_close_overdue(now=later) == {"closed": 1, "failed": 1}
    assert Attempt.objects.get(pk=good.pk).status == Attempt.Status.FINISHED
    assert Attempt.objects.get(pk=bad.pk).status == Attempt.Status.IN_PROGRESS


@pytest.mark.parametrize("seq", [2**31, 2**63, -1])
def test_a_huge_sequence_number_is_refused_not_a_server_error(
    client, learner, quiz, seq
):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    client.force_login(learner)
    response = client.post(
        reverse("assessments:save", args=[attempt.pk]),
        {"seq": seq, "answers": {str(2**40): {"text": "1"}}},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    form = client.post(
        reverse("assessments:attempt", args=[attempt.pk]),
        {"position": 1, "seq": seq, "answer_present": "1", "answer": "1"},
    )
    assert form.status_code in (302, 400, 404)


@pytest.mark.parametrize("q", [str(2**40), "-5", "0", "abc", "99"])
def test_any_question_number_shows_a_question_of_the_attempt(client, learner, quiz, q):
    """The page's question number reaches the database: one beyond the column's
    range must show the last question, not a server error."""
    attempt = services.attempt_start(user=learner, quiz=quiz)
    client.force_login(learner)
    page = client.get(reverse("assessments:attempt", args=[attempt.pk]) + f"?q={q}")
    assert page.status_code == 200
    assert 'name="answer"' in page.content.decode()
