"""Figures checked against a hand-computed example (two slots, four attempts)."""

import math

import pandas as pd
import pytest

from assessments import item_statistics as stats


@pytest.fixture
def marks():
    # slot 1: 1,1,0,0; slot 2: 1,0,1,1 → totals 2,1,1,1
    rows = []
    for attempt, (a, b) in enumerate([(1, 1), (1, 0), (0, 1), (0, 1)], start=1):
        rows.append(
            {
                "attempt_id": attempt,
                "slot": "1",
                "question_id": 1,
                "mark": a,
                "max_mark": 1,
                "random": False,
                "rgs": 0.5,
            }
        )
        rows.append(
            {
                "attempt_id": attempt,
                "slot": "2",
                "question_id": 2,
                "mark": b,
                "max_mark": 1,
                "random": False,
                "rgs": 0.5,
            }
        )
    return pd.DataFrame(rows, columns=stats.MARK_COLUMNS)


def test_test_level_figures(marks):
    t = stats.test_statistics(marks)
    # T = 2,1,1,1: mean 1.25, V(T) = 0.25, V(x1) = 1/3, V(x2) = 0.25
    assert t["mean"] == pytest.approx(1.25)
    assert t["median"] == pytest.approx(1.0)
    assert t["sd"] == pytest.approx(0.5)
    cic = 100 * 2 * (1 - (1 / 3 + 0.25) / 0.25)
    assert t["cic"] == pytest.approx(cic)
    assert t["skewness"] == pytest.approx(2.0)  # k3/k2^1.5 for 2,1,1,1


def test_question_level_figures(marks):
    rows = stats.slot_statistics(marks).set_index("slot")
    assert rows.loc["1", "facility"] == pytest.approx(50)
    assert rows.loc["2", "facility"] == pytest.approx(75)
    assert rows.loc["1", "sd"] == pytest.approx(100 * math.sqrt(1 / 3))
    # x1 = 1,1,0,0 and rest X1 = x2 = 1,0,1,1: C = -1/6, V = 1/3 and 1/4 → r = -0.5774
    assert rows.loc["1", "discrimination"] == pytest.approx(
        100 * (-1 / 6) / math.sqrt(1 / 3 * 1 / 4)
    )
    # sorted pairing: x 0,0,1,1 with X 0,1,1,1 → Cmax = 1/6 → DE = -100
    assert rows.loc["1", "discriminative_efficiency"] == pytest.approx(-100)
    assert bool(rows.loc["1", "dubious"]) is True
    assert rows.loc["1", "intended_weight"] == pytest.approx(50)


def test_needs_checking_averages_discrimination_over_quizzes():
    frame = pd.DataFrame(
        [
            {
                "question_id": 1,
                "facility": 50.0,
                "discrimination": 20.0,
                "discriminative_efficiency": 30.0,
            },
            {
                "question_id": 1,
                "facility": 70.0,
                "discrimination": 30.0,
                "discriminative_efficiency": 40.0,
            },
            {
                "question_id": 2,
                "facility": 60.0,
                "discrimination": 60.0,
                "discriminative_efficiency": 70.0,
            },
        ]
    )
    result = stats.needs_checking(frame).set_index("question_id")
    assert result.loc[1, "needs_checking"] == "very_likely"
    assert result.loc[1, "facility"] == pytest.approx(60)
    assert result.loc[2, "needs_checking"] == "unlikely"
