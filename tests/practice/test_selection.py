"""Choosing the day's questions: due first, weighted toward the person's weak
indicators, 5 to 10 a day, and never a question of an exam's pool."""

import datetime as dt
from collections import Counter

import pytest

from assessments.models import ExternalResult
from practice.models import Card, PracticeSource
from practice.selectors import practice_pool_ids
from practice.services import practice_choose, practice_day_start
from tests.assessments.factories import make_question, make_quiz
from tests.practice.conftest import at, tagged

pytestmark = pytest.mark.django_db
DAYS = [dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(40)]


def _picks(user, pool):
    return Counter(
        qid for day in DAYS for qid in practice_choose(user=user, day=day, pool=pool)
    )


def _weak_share(counts, bank) -> float:
    weak = {q.pk for q in bank["weak"]}
    total = sum(counts.values())
    return sum(n for qid, n in counts.items() if qid in weak) / total


def test_new_questions_are_drawn_mostly_from_the_persons_weakest_indicator(
    learner, bank, indicators
):
    # Exam results outside the platform: all wrong on one indicator, all right on
    # the other.
    for i in range(3):
        for key, score in (("weak", 0), ("strong", 1)):
            question = tagged(f"EX{key}{i}", indicators[key], category="考试/结业")
            ExternalResult.objects.create(
                user=learner, question=question, score=score, answered_on=DAYS[0]
            )
    share = _weak_share(_picks(learner, practice_pool_ids()), bank)
    assert share > 0.75


def test_without_answers_both_indicators_are_drawn_alike(learner, bank):
    share = _weak_share(_picks(learner, practice_pool_ids()), bank)
    assert 0.3 < share < 0.7


def test_practice_answers_count_toward_the_weighting(learner, bank, indicators):
    from assessments.services import question_current_version
    from practice.models import PracticeAnswer

    for n, question in enumerate(bank["weak"][:3] + bank["strong"][:3]):
        PracticeAnswer.objects.create(
            user=learner,
            question=question,
            version=question_current_version(question=question),
            day=dt.date(2026, 11, 1),
            position=n + 1,
            fraction=0 if question in bank["weak"] else 1,
            answered_at=at(1) - dt.timedelta(days=30),
        )
        Card.objects.create(
            user=learner, question=question, due=at(1) + dt.timedelta(days=400)
        )
    assert _weak_share(_picks(learner, practice_pool_ids()), bank) > 0.75


def test_questions_of_an_exams_pool_are_never_chosen(learner, bank):
    shared = bank["weak"][0]
    make_quiz("final", [shared], title="结业考试")  # an exam (the default)
    exam_only = make_question("EXAM-1", category="考试/结业")
    make_quiz("final-2", [exam_only], title="结业考试二")
    # A trainer opens the exam question to practice by mistake.
    PracticeSource.objects.create(question=exam_only)
    pool = practice_pool_ids()
    assert shared.pk not in pool and exam_only.pk not in pool
    picks = _picks(learner, pool)
    assert shared.pk not in picks and exam_only.pk not in picks
    rows = practice_day_start(user=learner, now=at(1))
    assert {r.question_id for r in rows}.isdisjoint({shared.pk, exam_only.pk})


def test_published_practice_quizzes_feed_the_pool_and_drafts_do_not(
    learner, reference_data
):
    used = make_question("LESSON-1", category="课堂练习2/第一课")
    draft = make_question("LESSON-2", category="课堂练习2/第二课")
    make_quiz("lesson-1", [used], exam_paper=False, right_answers_after="each_attempt")
    make_quiz("lesson-2", [draft], exam_paper=False, draft=True)
    assert practice_pool_ids() == {used.pk}


def test_essays_are_never_practised(learner, bank):
    essay = make_question("ESSAY-1", type="essay", category="课堂练习/每日")
    assert essay.pk not in practice_pool_ids()


def test_due_questions_come_first_and_questions_not_yet_due_wait(learner, bank):
    due = bank["strong"][5]
    waiting = bank["weak"][5]
    Card.objects.create(user=learner, question=due, due=at(1) - dt.timedelta(days=2))
    Card.objects.create(
        user=learner, question=waiting, due=at(1) + dt.timedelta(days=3)
    )
    pool = practice_pool_ids()
    for day in DAYS[:3]:
        chosen = practice_choose(user=learner, day=day, pool=pool)
        assert chosen[0] == due.pk
        assert waiting.pk not in chosen
    assert practice_choose(user=learner, day=DAYS[3], pool=pool)[:2] == [
        due.pk,
        waiting.pk,
    ]


def test_a_day_has_five_questions_and_at_most_ten_when_many_are_due(learner, bank):
    pool = practice_pool_ids()
    assert len(practice_choose(user=learner, day=DAYS[0], pool=pool)) == 5
    for question in bank["weak"] + bank["strong"][:2]:
        Card.objects.create(user=learner, question=question, due=at(1))
    chosen = practice_choose(user=learner, day=DAYS[0], pool=pool)
    assert len(chosen) == 10
    assert set(chosen) <= {q.pk for q in bank["weak"] + bank["strong"][:2]}


def test_the_day_is_chosen_once(learner, bank):
    first = practice_day_start(user=learner, now=at(1, 8))
    again = practice_day_start(user=learner, now=at(1, 20))
    assert [r.pk for r in first] == [r.pk for r in again]
    tomorrow = practice_day_start(user=learner, now=at(2, 8))
    assert {r.day for r in tomorrow} == {dt.date(2026, 12, 2)}


def test_no_pool_means_no_practice(learner, reference_data):
    assert practice_day_start(user=learner, now=at(1)) == []
