"""Spacing of practice questions with FSRS (the ``fsrs`` package), in whole days.

A right answer rates the card Good, a partly right one Hard and a wrong one Again;
FSRS turns the rating and the card's memory state (stability, difficulty) into the
next due date. Learning steps of minutes suit flashcards reviewed in one sitting,
not a practice done once a day, so there are none: every answer schedules at least
a day ahead. Fuzzing is off so that the same answers always give the same dates (it
only spreads load, and a person's daily set is small).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fsrs import Card as MemoryCard
from fsrs import Rating, Scheduler, State

from .models import Card

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(fraction: Decimal) -> Rating:
    if fraction >= 1:
        return Rating.Good
    if fraction > 0:
        return Rating.Hard
    return Rating.Again


def card_review(card: Card, *, fraction: Decimal, now: dt.datetime) -> Card:
    """``card`` moved on by one answer at ``now`` (not saved)."""
    utc = now.astimezone(dt.UTC)
    memory = MemoryCard(
        card_id=card.pk or 1,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.astimezone(dt.UTC) if card.due else utc,
        last_review=card.last_review.astimezone(dt.UTC) if card.last_review else None,
    )
    rating = rating_for(fraction)
    memory, _log = SCHEDULER.review_card(memory, rating, utc)
    card.state = int(memory.state)
    card.step = memory.step
    card.stability = memory.stability
    card.difficulty = memory.difficulty
    card.due = memory.due
    card.last_review = memory.last_review
    card.reviews += 1
    if rating == Rating.Again:
        card.lapses += 1
    return card
