"""A person's own mastery: the gap analysis' shrinkage with their indicators in the
units' place, toward their own overall share and nobody else's."""

import pytest

from insights import analytics as A


def _mastery(answers, tags):
    frame = A.own_mastery(
        A.frame(answers, A.RESPONSE_COLUMNS),
        A.frame(tags, A.QUESTION_INDICATOR_COLUMNS),
    )
    return frame.set_index("indicator_code")


def test_each_indicator_is_pulled_toward_the_persons_own_share():
    answers = [(1, 1, 1.0, 1.0)] * 4 + [(1, 2, 0.0, 1.0)] + [(1, 3, 1.0, 1.0)] * 3
    answers += [(1, 3, 0.0, 1.0)]
    out = _mastery(answers, [(1, "a"), (2, "b"), (3, "c")])
    overall = 7 / 9
    assert out["overall"].iloc[0] == pytest.approx(overall)
    assert out.loc["b", "raw_mastery"] == 0
    # Shrunk toward the person's own share, never past it.
    assert 0 < out.loc["b", "mastery"] < overall
    assert overall < out.loc["a", "mastery"] < 1
    # Still ordered as the raw shares are: the weak indicator stays the weakest.
    assert out["mastery"].idxmin() == "b"


def test_one_answer_moves_an_indicator_less_than_many():
    few = [(1, 1, 1.0, 1.0)] * 8 + [(1, 2, 0.0, 1.0)]
    many = [(1, 1, 1.0, 1.0)] * 8 + [(1, 2, 0.0, 1.0)] * 8
    tags = [(1, "a"), (2, "b")]
    assert (
        _mastery(few, tags).loc["b", "mastery"]
        > _mastery(many, tags).loc["b", "mastery"]
    )


def test_no_answers_give_no_mastery():
    assert A.own_mastery(
        A.empty(A.RESPONSE_COLUMNS), A.empty(A.QUESTION_INDICATOR_COLUMNS)
    ).empty
