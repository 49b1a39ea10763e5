"""Autosaves that write without reading first (PostgreSQL): what a worker keeps of an
attempt never lets a save write where the full path would not."""

import pytest
from django.db import connection

from assessments import services
from assessments.errors import AssessmentError
from assessments.models import Response
from assessments.services import attempts as attempt_services
from tests.assessments.factories import make_question, make_quiz, right_keys, wrong_key
from tests.factories import StaffFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the write without a read is PostgreSQL's",
    ),
]


@pytest.fixture
def quiz(reference_data):
    return make_quiz("known", [make_question(f"K{i}") for i in range(1, 4)])


@pytest.fixture(autouse=True)
def _nothing_known():
    attempt_services._known.clear()
    yield
    attempt_services._known.clear()


def _answer(attempt, position):
    return Response.objects.get(item__attempt=attempt, item__position=position).answer


def test_a_second_save_writes_without_reading_the_items(
    quiz, learner, django_assert_num_queries
):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    item = attempt.items.get(position=2)
    seq = services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={1: {"keys": []}}
    )
    right = right_keys(item)
    with django_assert_num_queries(1):  # the gated write alone
        seq = services.attempt_save(
            attempt_id=attempt.pk,
            user=learner,
            seq=seq,
            answers={2: {"keys": right}},
            flags={3: True},
        )
    assert seq == 2
    assert _answer(attempt, 2) == {"keys": right}
    assert list(
        attempt.items.filter(flagged=True).values_list("position", flat=True)
    ) == [3]
    with pytest.raises(AssessmentError):  # an option the question does not have
        services.attempt_save(
            attempt_id=attempt.pk, user=learner, seq=seq, answers={2: {"keys": ["zz"]}}
        )
    with pytest.raises(AssessmentError):  # a stale sequence number
        services.attempt_save(
            attempt_id=attempt.pk, user=learner, seq=0, answers={2: {"keys": []}}
        )
    assert _answer(attempt, 2) == {"keys": right_keys(item)}


def test_a_question_checked_since_is_refused_as_locked(reference_data, learner):
    quiz = make_quiz("known-check", [make_question("KC1")], feedback_mode="immediate")
    attempt = services.attempt_start(user=learner, quiz=quiz)
    item = attempt.items.get(position=1)
    seq = services.attempt_save(
        attempt_id=attempt.pk,
        user=learner,
        seq=0,
        answers={1: {"keys": right_keys(item)}},
    )
    seq = services.attempt_check_item(
        attempt_id=attempt.pk, user=learner, position=1, seq=seq
    )
    with pytest.raises(AssessmentError, match="不能再修改|locked"):
        services.attempt_save(
            attempt_id=attempt.pk,
            user=learner,
            seq=seq,
            answers={1: {"keys": [wrong_key(item)]}},
        )
    assert _answer(attempt, 1) == {"keys": right_keys(item)}


def test_what_is_kept_never_writes_outside_the_attempt(quiz, learner):
    """Kept ids that no longer match (a database restored under a running worker)
    are refused by the gated write; the full path then saves where it should."""
    other_learner = StaffFactory().user
    mine = services.attempt_start(user=learner, quiz=quiz)
    theirs = services.attempt_start(user=other_learner, quiz=quiz)
    seq = services.attempt_save(
        attempt_id=mine.pk, user=learner, seq=0, answers={1: {"keys": []}}
    )
    user_id, items = attempt_services._known[mine.pk]
    their_items = attempt_services._known_items(theirs.pk, other_learner.pk)
    attempt_services._known[mine.pk] = (user_id, their_items)
    item = mine.items.get(position=2)
    seq = services.attempt_save(
        attempt_id=mine.pk,
        user=learner,
        seq=seq,
        answers={2: {"keys": right_keys(item)}},
        flags={2: True},
    )
    assert seq == 2
    assert _answer(mine, 2) == {"keys": right_keys(item)}
    assert mine.items.get(position=2).flagged
    assert _answer(theirs, 2) == {}
    assert not theirs.items.filter(flagged=True).exists()
    # Another person's attempt is never saved through what is kept of it.
    with pytest.raises(AssessmentError):
        services.attempt_save(
            attempt_id=theirs.pk, user=learner, seq=0, answers={1: {"keys": []}}
        )
    assert _answer(theirs, 1) == {}


def test_what_is_kept_is_bounded(quiz, learner, monkeypatch):
    monkeypatch.setattr(attempt_services, "KNOWN_ATTEMPTS", 2)
    for _n in range(3):
        learner_n = StaffFactory().user
        attempt = services.attempt_start(user=learner_n, quiz=quiz)
        services.attempt_save(
            attempt_id=attempt.pk, user=learner_n, seq=0, answers={1: {"keys": []}}
        )
    assert len(attempt_services._known) == 2
