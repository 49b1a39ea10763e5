"""The answers' stream for mastery: what each answer adds, per person and indicator.

The database sends one narrow row per answer (person, question, score and, for the
platform's answers, the item's points); the questions' indicators and points are
spread over them afterwards. These cases check that spreading against the row-by-row
reference: a question with two indicators, one worth 0 points, one with no indicator,
scores outside 0–1, and the attempts and results that must not count.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from assessments.models import Attempt, AttemptItem, ExternalResult, Response
from assessments.services import question_current_version
from insights import selectors, sql
from organisation.models import Indicator
from organisation.services import indicators_load_shipped
from tests.assessments.factories import make_question, make_quiz
from tests.factories import StaffFactory
from tests.insights.helpers import assert_unit_sums_match, reference_scores

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 9, 30)


@pytest.fixture
def answers(tree):
    indicators_load_shipped()
    first, second, third = Indicator.objects.order_by("code")[:3]
    two = make_question("S-TWO", points="2")
    two.indicators.set([first, second])
    two.save()
    free = make_question("S-ZERO", points="0")
    free.indicators.set([third])
    free.save()
    untagged = make_question("S-NONE", points="5")
    quiz = make_quiz("stream", [two, free, untagged])
    a = StaffFactory(unit=tree["G1"], staff_no="SA1", name="甲").user
    b = StaffFactory(unit=tree["G2"], staff_no="SB1", name="乙").user
    inside = timezone.make_aware(dt.datetime(2026, 9, 1, 10))
    after = timezone.make_aware(dt.datetime(2026, 10, 2, 10))

    def attempt(user, number, answers, **fields):
        fields = {"status": Attempt.Status.FINISHED, "finished_at": inside} | fields
        made = Attempt.objects.create(user=user, quiz=quiz, number=number, **fields)
        for position, (question, points, fraction) in enumerate(answers, 1):
            item = AttemptItem.objects.create(
                attempt=made,
                position=position,
                question=question,
                version=question_current_version(question=question),
                points=Decimal(points),
            )
            Response.objects.create(
                item=item, fraction=None if fraction is None else Decimal(fraction)
            )

    # Counted: the item's points (3, not the question's 2), a fraction above 1 on a
    # question worth 0 (counts as 1 point), an untagged question (adds nothing).
    attempt(a, 1, [(two, "3", "0.5"), (free, "0", "1.2"), (untagged, "5", "1")])
    # Not counted: in progress, a trainer's preview, finished after the period, an
    # essay not yet marked.
    attempt(
        a, 2, [(two, "2", "1")], status=Attempt.Status.IN_PROGRESS, finished_at=None
    )
    attempt(a, 3, [(two, "2", "1")], preview=True)
    attempt(a, 4, [(two, "2", "1")], finished_at=after)
    attempt(a, 5, [(two, "2", None)])
    # Imported results: the question's points; one after the period.
    ExternalResult.objects.create(
        user=b, question=two, score=Decimal("0.25"), answered_on=UNTIL
    )
    ExternalResult.objects.create(
        user=b, question=free, score=Decimal("0.9"), answered_on=UNTIL
    )
    ExternalResult.objects.create(
        user=b, question=untagged, score=Decimal("1"), answered_on=UNTIL
    )
    ExternalResult.objects.create(
        user=a,
        question=free,
        score=Decimal("0"),
        answered_on=UNTIL + dt.timedelta(days=1),
    )
    return {"a": a, "b": b, "indicators": (first, second, third)}


def _sums(rows):
    return {
        (unit, code): (people, round(earned, 9), round(possible, 9))
        for unit, code, people, earned, possible in rows
    }


def test_each_answer_counts_once_per_indicator_of_its_question(answers):
    first, second, third = (i.code for i in answers["indicators"])
    unit_sums = selectors.score_sum_records(until=UNTIL)
    assert _sums(unit_sums) == {
        # 甲: 0.5 of the item's 3 points, on both indicators of the question.
        ("G1", first): (1, 1.5, 3.0),
        ("G1", second): (1, 1.5, 3.0),
        # 甲: 1.2 clipped to 1 of a question worth 0, counted as 1 point.
        ("G1", third): (1, 1.0, 1.0),
        # 乙: 0.25 of the question's 2 points; 0.9 of 1.
        ("G2", first): (1, 0.5, 2.0),
        ("G2", second): (1, 0.5, 2.0),
        ("G2", third): (1, 0.9, 1.0),
    }


def test_the_stream_equals_the_row_by_row_reference(answers):
    assert len(selectors.question_indicator_records()) == 3
    unit_sums = selectors.score_sum_records(until=UNTIL)
    assert_unit_sums_match(unit_sums, reference_scores(UNTIL))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="binary COPY: PostgreSQL only"
)
def test_a_copy_that_fails_or_is_left_midway_leaves_the_connection_usable():
    failing = (
        "SELECT g::int4, g::int4, (1.0 / (g - 3))::float8 FROM generate_series(1, 5) g"
    )
    with pytest.raises(DatabaseError, match="division by zero"):
        with transaction.atomic(), connection.cursor() as cursor:
            list(sql._copy_batches(cursor.cursor, failing, 1))
    with connection.cursor() as cursor:
        good = (
            "SELECT g::int4, (g * 2)::int4, (g / 4.0)::float8"
            " FROM generate_series(1, 5) g"
        )
        ((uid, qid, score),) = sql._copy_batches(cursor.cursor, good, 1)
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
        # A reader that fails after the first batch cancels the rest of the copy.
        many = "SELECT g::int4, g::int4 FROM generate_series(1, 3000000) g"
        batches = sql._copy_batches(cursor.cursor, many, 0)
        with pytest.raises(RuntimeError), transaction.atomic():
            for head, _qid in batches:
                assert head[0] == 1 and len(head) > 1_000_000
                batches.close()
                raise RuntimeError("the reader stops")
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
    assert uid.tolist() == [1, 2, 3, 4, 5] and qid.tolist() == [2, 4, 6, 8, 10]
    assert score.tolist() == [0.25, 0.5, 0.75, 1.0, 1.25]
