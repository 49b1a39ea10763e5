"""Spacing: due dates move with right and wrong answers."""

import datetime as dt
from decimal import Decimal

import pytest

from practice.models import Card, PracticeAnswer
from practice.scheduler import card_review
from practice.services import practice_answer_submit, practice_day_start
from tests.practice.conftest import at, right_keys, wrong_keys

pytestmark = pytest.mark.django_db


def _fields(card):
    names = ("user_id", "question_id", "state", "step", "stability", "difficulty")
    names += ("due", "last_review", "reviews", "lapses")
    return {name: getattr(card, name) for name in names}


def _new_card(now):
    return Card(user_id=1, question_id=1, due=now)


def test_a_wrong_answer_is_due_again_the_next_day():
    now = at(1)
    card = card_review(_new_card(now), fraction=Decimal(0), now=now)
    assert card.due - now == dt.timedelta(days=1)
    assert card.lapses == 1


def test_a_right_answer_waits_longer_than_a_wrong_one():
    now = at(1)
    right = card_review(_new_card(now), fraction=Decimal(1), now=now)
    wrong = card_review(_new_card(now), fraction=Decimal(0), now=now)
    partly = card_review(_new_card(now), fraction=Decimal("0.5"), now=now)
    assert right.due > wrong.due
    assert partly.due >= wrong.due
    assert right.due - now >= dt.timedelta(days=2)


def test_each_further_right_answer_moves_the_next_review_further_out():
    now = at(1)
    card = card_review(_new_card(now), fraction=Decimal(1), now=now)
    first_gap = card.due - now
    second = card.due
    card = card_review(card, fraction=Decimal(1), now=second)
    assert card.due - second > first_gap


def test_a_wrong_answer_after_right_ones_brings_the_question_back_soon():
    now = at(1)
    card = card_review(_new_card(now), fraction=Decimal(1), now=now)
    card = card_review(card, fraction=Decimal(1), now=card.due)
    stable = card.stability
    later = card.due
    kept = card_review(Card(**_fields(card)), fraction=Decimal(1), now=later)
    lapsed = card_review(card, fraction=Decimal(0), now=later)
    assert lapsed.due - later <= dt.timedelta(days=3)
    assert kept.due - later > 5 * (lapsed.due - later)
    assert lapsed.stability < stable


def test_answering_on_the_page_moves_the_persons_card(learner, bank):
    rows = practice_day_start(user=learner, now=at(1))
    first, second = rows[0], rows[1]
    practice_answer_submit(
        user=learner, answer_id=first.pk, raw=right_keys(first), now=at(1, 10)
    )
    practice_answer_submit(
        user=learner, answer_id=second.pk, raw=wrong_keys(second), now=at(1, 10)
    )
    right_card = Card.objects.get(user=learner, question=first.question)
    wrong_card = Card.objects.get(user=learner, question=second.question)
    assert wrong_card.due.date() == dt.date(2026, 12, 2)
    assert right_card.due > wrong_card.due


def test_a_replayed_answer_changes_neither_the_answer_nor_the_schedule(learner, bank):
    row = practice_day_start(user=learner, now=at(1))[0]
    practice_answer_submit(
        user=learner, answer_id=row.pk, raw=wrong_keys(row), now=at(1, 10)
    )
    due = Card.objects.get(user=learner, question=row.question).due
    practice_answer_submit(
        user=learner, answer_id=row.pk, raw=right_keys(row), now=at(1, 11)
    )
    row.refresh_from_db()
    assert row.fraction == 0
    card = Card.objects.get(user=learner, question=row.question)
    assert (card.due, card.reviews) == (due, 1)
    assert (
        PracticeAnswer.objects.filter(user=learner, answered_at__isnull=False).count()
        == 1
    )
