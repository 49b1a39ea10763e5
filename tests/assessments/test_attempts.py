import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services
from assessments.errors import AssessmentError
from assessments.models import Attempt, MarkChange, Quiz, Response
from assessments.selectors import category_progress
from tests.assessments.factories import make_question, make_quiz, right_keys, wrong_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(reference_data):
    return make_quiz("q", [make_question(f"Q{i}") for i in range(1, 4)])


def _item(attempt, position):
    return attempt.items.select_related("version").get(position=position)


def test_a_stale_sequence_is_refused_and_never_overwrites_a_newer_answer(learner, quiz):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    item = _item(attempt, 1)
    seq = services.attempt_save(
        attempt_id=attempt.pk,
        user=learner,
        seq=0,
        answers={1: {"keys": right_keys(item)}},
    )
    assert seq == 1
    with pytest.raises(AssessmentError) as refused:
        services.attempt_save(
            attempt_id=attempt.pk,
            user=learner,
            seq=0,
            answers={1: {"keys": [wrong_key(item)]}},
        )
    assert refused.value.code == "stale"
    assert "页面已过期" in str(refused.value.message) or "out of date" in str(
        refused.value.message
    )
    assert Response.objects.get(item=item).answer == {"keys": right_keys(item)}


def test_submitting_twice_finishes_once(
    learner, quiz, django_capture_on_commit_callbacks
):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.attempt_submit(attempt_id=attempt.pk, user=learner)
        second = services.attempt_submit(attempt_id=attempt.pk, user=learner)
    assert first.finished_at == second.finished_at
    assert len(callbacks) == 1
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.FINISHED


def test_saves_after_the_deadline_are_refused(learner, quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    attempt = services.attempt_start(user=learner, quiz=quiz)
    later = timezone.now() + dt.timedelta(minutes=11)
    with pytest.raises(AssessmentError) as refused:
        services.attempt_save(
            attempt_id=attempt.pk, user=learner, seq=0, answers={1: {}}, now=later
        )
    assert refused.value.code == "time_up"


@pytest.mark.parametrize(
    "policy,counted", [("autosubmit", True), ("not_counted", False), ("grace", False)]
)
def test_overdue_attempts_close_by_policy(learner, quiz, policy, counted):
    quiz.time_limit_minutes = 5
    quiz.overdue_policy = policy
    quiz.grace_minutes = 2
    quiz.save()
    attempt = services.attempt_start(user=learner, quiz=quiz)
    item = _item(attempt, 1)
    services.attempt_save(
        attempt_id=attempt.pk,
        user=learner,
        seq=0,
        answers={1: {"keys": right_keys(item)}},
    )
    now = timezone.now()
    if policy == "grace":
        later = now + dt.timedelta(minutes=6)
        assert services.attempt_close_overdue(now=later)["closed"] == 0
    later = now + dt.timedelta(minutes=8)
    assert services.attempt_close_overdue(now=later) == {"closed": 1, "failed": 0}
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED
    assert attempt.counted is counted
    assert attempt.score == Decimal("1.00")


def test_grace_period_lets_a_learner_submit_late(learner, quiz):
    quiz.time_limit_minutes = 5
    quiz.overdue_policy = Quiz.OverduePolicy.GRACE
    quiz.grace_minutes = 3
    quiz.save()
    attempt = services.attempt_start(user=learner, quiz=quiz)
    done = services.attempt_submit(
        attempt_id=attempt.pk,
        user=learner,
        now=timezone.now() + dt.timedelta(minutes=6),
    )
    assert done.counted and done.ending == Attempt.Ending.SUBMITTED


def test_extra_time_extends_the_deadline(learner, quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    quiz.extra_times.create(user=learner, minutes=5)
    attempt = services.attempt_start(user=learner, quiz=quiz)
    assert (attempt.deadline - attempt.started_at) >= dt.timedelta(
        minutes=14, seconds=59
    )


def test_attempt_limit_and_single_attempt(learner, quiz):
    quiz.single_attempt = True
    quiz.save()
    attempt = services.attempt_start(user=learner, quiz=quiz)
    assert services.attempt_start(user=learner, quiz=quiz).pk == attempt.pk  # resume
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    with pytest.raises(AssessmentError):
        services.attempt_start(user=learner, quiz=quiz)


def test_an_empty_quiz_is_a_clear_error_not_a_crash(learner, reference_data):
    quiz = Quiz.objects.create(title="空", slug="empty", draft=False)
    with pytest.raises(AssessmentError) as error:
        services.attempt_start(user=learner, quiz=quiz)
    assert error.value.code == "empty"


def test_editing_an_answered_question_creates_a_new_version(learner, quiz):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    item = _item(attempt, 1)
    question = item.question
    question.text = "改过的题干"
    question.save()
    services.question_publish_version(question=question)
    assert question.versions.count() == 2
    item.refresh_from_db()
    assert item.version.data["text"] != "改过的题干"


def test_option_order_is_stored_and_stable(learner, reference_data):
    question = make_question(
        "R1", options=[(str(i), 1 if i == 0 else 0) for i in range(6)]
    )
    quiz = make_quiz("r", [question])
    attempt = services.attempt_start(user=learner, quiz=quiz)
    item = _item(attempt, 1)
    assert sorted(item.option_keys) == sorted(
        o["key"] for o in item.version.data["options"]
    )
    item.refresh_from_db()
    assert item.option_keys == _item(attempt, 1).option_keys


def test_essays_await_marking_and_remarking_is_audited(
    learner, trainer, reference_data, django_capture_on_commit_callbacks
):
    essay = make_question("E1", type="essay", points="5")
    single = make_question("S1")
    quiz = make_quiz("e", [essay, single], pass_mark=60)
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_save(
        attempt_id=attempt.pk,
        user=learner,
        seq=0,
        answers={1: {"text": "我的论述"}, 2: {"keys": right_keys(_item(attempt, 2))}},
    )
    attempt = services.attempt_submit(attempt_id=attempt.pk, user=learner)
    assert attempt.status == Attempt.Status.AWAITING_MARKING and attempt.passed is None
    response = _item(attempt, 1).response
    with django_capture_on_commit_callbacks() as callbacks:
        services.response_mark(
            response=response, marker=trainer, score="4", comment="较好"
        )
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED
    assert attempt.score == Decimal("5.00") and attempt.passed is True
    assert len(callbacks) == 1
    services.response_mark(
        response=Response.objects.get(pk=response.pk),
        marker=trainer,
        score="0",
        comment="抄袭",
    )
    attempt.refresh_from_db()
    assert attempt.passed is False
    changes = list(
        MarkChange.objects.filter(response=response).order_by("changed_at", "pk")
    )
    assert [(c.old_score, c.new_score) for c in changes] == [(None, 4), (4, 0)]
    progress = {row["path"]: row for row in category_progress(user=learner)}
    assert progress["指标/案-件比"]["score"] == Decimal(1)
    assert progress["指标"]["percent"] == 16.7  # 1 of 6 points


def test_marks_out_of_range_are_refused(learner, trainer, reference_data):
    quiz = make_quiz("e2", [make_question("E2", type="essay", points="5")])
    attempt = services.attempt_start(user=learner, quiz=quiz)
    attempt = services.attempt_submit(attempt_id=attempt.pk, user=learner)
    response = _item(attempt, 1).response
    with pytest.raises(AssessmentError):
        services.response_mark(response=response, marker=trainer, score="6")
    assert not MarkChange.objects.exists()
