"""The quiz hot path's PostgreSQL statements (assessments/sql.py) against the ORM
path beside them: the same start, saves, refused save and submit leave the same rows."""

import pytest
from django.db import connection

from assessments import services
from assessments.errors import AssessmentError
from assessments.models import Attempt
from tests.assessments.factories import make_question, make_quiz, right_keys, wrong_key
from tests.factories import StaffFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the fast path is PostgreSQL's"
    ),
]


def _answer(item, n: int) -> dict:
    if item.version.data["type"] == "numeric":
        return {"text": "7" if n % 2 else "8"}
    return {"keys": right_keys(item) if n % 2 else [wrong_key(item)]}


def _run(user, quiz) -> dict:
    """Start, save twice (with a flag), be refused once, submit; what was stored."""
    attempt = services.attempt_start(user=user, quiz=quiz)
    items = list(attempt.items.select_related("version", "question"))
    by_code = {item.question.code: item for item in items}
    codes = sorted(by_code)
    first = {by_code[c].position: _answer(by_code[c], n) for n, c in enumerate(codes)}
    flags = {by_code[codes[1]].position: True, by_code[codes[2]].position: True}
    seq = services.attempt_save(
        attempt_id=attempt.pk, user=user, seq=0, answers=first, flags=flags
    )
    with pytest.raises(AssessmentError):
        services.attempt_save(
            attempt_id=attempt.pk, user=user, seq=0, answers={1: {"keys": []}}
        )
    last = by_code[codes[0]].position
    services.attempt_save(
        attempt_id=attempt.pk,
        user=user,
        seq=seq,
        answers={last: _answer(by_code[codes[0]], 1)},
        flags={by_code[codes[2]].position: False},
    )
    services.attempt_submit(attempt_id=attempt.pk, user=user)
    stored = Attempt.objects.get(pk=attempt.pk)
    return {
        "attempt": [
            getattr(stored, f)
            for f in ("status", "seq", "score", "score_percent", "passed", "ending")
        ],
        "items": sorted(
            (
                item.question.code,
                item.points,
                item.flagged,
                item.response.answer,
                item.response.seq,
                item.response.score,
                item.response.fraction,
                item.response.needs_marking,
            )
            for item in stored.items.select_related("question", "response")
        ),
    }


def test_the_fast_path_stores_what_the_orm_path_stores(tree, monkeypatch):
    questions = [
        make_question("PAR-1", points="2"),
        make_question(
            "PAR-2", type="multiple", options=[("甲", 0.5), ("乙", 0.5)], points="3"
        ),
        make_question("PAR-3", type="numeric", numeric_answer=7),
    ]
    quiz = make_quiz("parity", questions)
    fast_user = StaffFactory(unit=tree["G1-D1"]).user
    orm_user = StaffFactory(unit=tree["G1-D1"]).user

    fast = _run(fast_user, quiz)
    # The services take the portable ORM path on any other database.
    monkeypatch.setattr(connection, "vendor", "reference")
    reference = _run(orm_user, quiz)

    assert fast == reference
    assert fast["attempt"][0] == Attempt.Status.FINISHED
    assert [row[2] for row in fast["items"]] == [False, True, False]
