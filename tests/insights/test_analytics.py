"""The pure analytics on small frames, checked by hand."""

import numpy as np
import pandas as pd
import pytest

from insights import analytics as A

NAN = float("nan")


def values(rows, period="2025Q1", order=1, level="grassroots"):
    return A.frame(
        [(u, level, i, period, order, v) for u, i, v in rows], A.VALUE_COLUMNS
    )


def catalogue(*rows):
    return A.frame(rows, A.INDICATOR_COLUMNS)


DETENTION = ("pretrial_detention_rate", "lower_better", NAN, NAN, False)
PLEA = ("plea_leniency_rate", "range", 0.70, 0.95, False)
RATIO = ("case_ratio_criminal", "lower_better", NAN, NAN, True)
ADOPTION = ("sentencing_proposal_adoption_rate", "higher_better", NAN, NAN, False)


def by_unit(df):
    return {r.unit_code: r for r in df.itertuples()}


def test_domain_q10_35_percent_against_42_lower_better_is_upper():
    # The average of same-level units is 42%; the unit is 7 points better.
    df = by_unit(
        A.standing(
            values(
                [
                    ("A", DETENTION[0], 0.35),
                    ("B", DETENTION[0], 0.42),
                    ("C", DETENTION[0], 0.49),
                ]
            ),
            catalogue(DETENTION),
        )
    )
    assert df["A"].province_avg == pytest.approx(0.42)
    assert df["A"].gap == pytest.approx(0.07)
    assert df["A"].tier == "upper"
    assert df["B"].tier == "middle"
    assert df["C"].tier == "lower"
    assert (df["A"].standing, df["B"].standing, df["C"].standing) == (1.0, 0.5, 0.0)


def test_a_gap_of_exactly_the_band_is_middle():
    df = by_unit(
        A.standing(
            values([("A", ADOPTION[0], 0.95), ("B", ADOPTION[0], 0.85)]),
            catalogue(ADOPTION),
        )
    )
    # Average 0.90: A is exactly 5 points above, B exactly 5 below.
    assert df["A"].tier == "middle"
    assert df["B"].tier == "middle"


def test_ratios_use_the_ratio_band():
    df = by_unit(
        A.standing(
            values(
                [("A", RATIO[0], 1.30), ("B", RATIO[0], 1.45), ("C", RATIO[0], 1.60)]
            ),
            catalogue(RATIO),
        )
    )
    # Average 1.45: A is 0.15 better (> 0.1) → upper; C 0.15 worse → lower.
    assert (df["A"].tier, df["B"].tier, df["C"].tier) == ("upper", "middle", "lower")
    custom = by_unit(
        A.standing(
            values(
                [("A", RATIO[0], 1.30), ("B", RATIO[0], 1.45), ("C", RATIO[0], 1.60)]
            ),
            catalogue(RATIO),
            A.TierRule(ratio_band=0.2),
        )
    )
    assert custom["A"].tier == "middle"


def test_range_indicators_are_measured_by_distance_to_their_band():
    df = by_unit(
        A.standing(
            values(
                [("In", PLEA[0], 0.85), ("Near", PLEA[0], 0.98), ("Far", PLEA[0], 0.55)]
            ),
            catalogue(PLEA),
        )
    )
    assert df["In"].tier == "upper" and df["In"].gap == 0
    assert df["Near"].tier == "middle"  # 3 points above the band
    assert df["Far"].tier == "lower"  # 15 points below
    assert df["In"].standing == 1.0 and df["Far"].standing == 0.0


def test_standing_compares_only_units_of_the_same_level():
    rows = values([("G1", ADOPTION[0], 0.9), ("G2", ADOPTION[0], 0.8)])
    cities = values([("C1", ADOPTION[0], 0.5)], level="city")
    df = by_unit(A.standing(pd.concat([rows, cities]), catalogue(ADOPTION)))
    assert df["C1"].standing == 0.5  # alone at its level
    assert df["C1"].province_avg == 0.5
    assert df["G1"].standing == 1.0


def test_trends_show_the_change_since_the_previous_period():
    v = pd.concat(
        [
            values([("A", DETENTION[0], 0.40), ("B", DETENTION[0], 0.40)], "2025Q1", 1),
            values([("A", DETENTION[0], 0.30), ("B", DETENTION[0], 0.45)], "2025Q2", 2),
        ]
    )
    t = A.trends(A.standing(v, catalogue(DETENTION)))
    row = t[(t.unit_code == "A") & (t.period == "2025Q2")].iloc[0]
    assert row.previous_period == "2025Q1"
    assert row.change == pytest.approx(-0.10)
    assert bool(row.improved) is True


def scores(rows):
    return pd.DataFrame(
        rows, columns=["user_id", "unit_code", "indicator_code", "earned", "possible"]
    )


def test_mastery_is_shrunk_and_hidden_for_small_groups():
    rows = []
    uid = 0
    # Big units with different shares, and a tiny unit with a perfect score.
    for unit, share, people in (
        ("A", 0.9, 20),
        ("B", 0.5, 20),
        ("C", 0.7, 20),
        ("T", 1.0, 2),
    ):
        for _ in range(people):
            uid += 1
            rows.append((uid, unit, "x", share * 10, 10.0))
    m = by_unit(A.mastery(scores(rows), min_group=5))
    assert np.isnan(m["T"].mastery)
    assert m["T"].people == 2
    assert m["B"].mastery > 0.5 and m["A"].mastery < 0.9  # pulled toward the mean
    assert m["A"].mastery > m["C"].mastery > m["B"].mastery


def test_a_small_unit_is_pulled_further_than_a_large_one():
    rows, uid = [], 0
    for unit, share, people in (
        ("Big", 0.2, 40),
        ("Small", 0.2, 5),
        ("Mid", 0.8, 40),
        ("M2", 0.5, 40),
    ):
        for _ in range(people):
            uid += 1
            rows.append((uid, unit, "x", share * 2, 2.0))
    m = by_unit(A.mastery(scores(rows)))
    assert m["Small"].mastery > m["Big"].mastery


def test_correlations_carry_sign_p_value_and_a_seeded_interval():
    cells = pd.DataFrame(
        {
            "unit_code": [f"U{i}" for i in range(12)],
            "indicator_code": ["x"] * 12,
            "standing": np.linspace(0, 1, 12),
            "mastery": np.linspace(0.3, 0.9, 12) + np.tile([0.02, -0.02], 6),
            "completion_rate": np.linspace(0.9, 0.1, 12),
        }
    )
    out = A.correlations(cells, resamples=500, seed=1)
    m = out[out.metric == "mastery"].iloc[0]
    c = out[out.metric == "completion_rate"].iloc[0]
    assert m.rho > 0.9 and m.p_value < 0.001 and m.n_units == 12
    assert c.rho == pytest.approx(-1.0)
    assert m.ci_low <= m.rho <= m.ci_high
    again = A.correlations(cells, resamples=500, seed=1)
    assert again.equals(out)


def test_correlation_is_left_empty_with_too_few_units():
    cells = pd.DataFrame(
        {
            "unit_code": ["A", "B"],
            "indicator_code": ["x", "x"],
            "standing": [0.0, 1.0],
            "mastery": [0.2, 0.8],
            "completion_rate": [NAN, NAN],
        }
    )
    out = A.correlations(cells)
    assert out["rho"].isna().all()


def test_difference_in_differences_finds_a_planted_improvement():
    rows = []
    for u in range(8):
        treated = u < 4
        for order, period in ((1, "2025Q1"), (2, "2025Q2"), (3, "2025Q3")):
            after = order >= 2
            gap = -0.05 + (0.06 if treated and after else 0.0) + 0.002 * (u % 3)
            rows.append((f"U{u}", "x", period, order, gap))
    history = pd.DataFrame(
        rows, columns=["unit_code", "indicator_code", "period", "period_order", "gap"]
    )
    exposure = A.frame([(f"U{u}", "x", 2) for u in range(4)], A.EXPOSURE_COLUMNS)
    did = A.difference_in_differences(history, exposure).iloc[0]
    assert did.cut_period == "2025Q2"
    assert (did.treated, did.control) == (4, 4)
    assert did.did == pytest.approx(0.06)
    assert did.ci_low <= 0.06 <= did.ci_high


def test_difference_in_differences_needs_a_period_on_each_side():
    history = pd.DataFrame(
        [("U1", "x", "2025Q1", 1, 0.0), ("U2", "x", "2025Q1", 1, 0.1)],
        columns=["unit_code", "indicator_code", "period", "period_order", "gap"],
    )
    exposure = A.frame([("U1", "x", 1)], A.EXPOSURE_COLUMNS)
    assert A.difference_in_differences(history, exposure).empty


def test_payload_never_carries_raw_mastery():
    v = values([("A", ADOPTION[0], 0.9), ("B", ADOPTION[0], 0.8)])
    staff = A.frame([(1, "s1", "A"), (2, "s2", "B")], A.STAFF_COLUMNS)
    responses = A.frame([(1, 10, 1.0, 1.0), (2, 10, 0.0, 1.0)], A.RESPONSE_COLUMNS)
    qi = A.frame([(10, ADOPTION[0])], A.QUESTION_INDICATOR_COLUMNS)
    result = A.analyse(
        period="2025Q1",
        values=v,
        indicators=catalogue(ADOPTION),
        staff=staff,
        completions=A.empty(A.COMPLETION_COLUMNS),
        course_indicators=A.empty(A.COURSE_INDICATOR_COLUMNS),
        responses=responses,
        question_indicators=qi,
    )
    out = A.payload(result)
    assert all(c["mastery"] is None for c in out["cells"])
    assert "raw_mastery" not in out["cells"][0]
    assert out["cells"][0]["staff_to_remediate"] in (["s2"], [])


def test_a_question_tagged_with_two_indicators_counts_for_both():
    staff = A.frame([(1, "s1", "U"), (2, "s2", "U")], A.STAFF_COLUMNS)
    responses = A.frame(
        [(1, 10, 1.0, 2.0), (2, 10, 0.5, 2.0), (1, 11, 0.0, 1.0), (9, 10, 1.0, 2.0)],
        A.RESPONSE_COLUMNS,
    )
    tags = A.frame([(10, "a"), (10, "b"), (11, "a")], A.QUESTION_INDICATOR_COLUMNS)
    out = A.person_scores(staff, responses, tags)
    got = {
        (r.user_id, str(r.indicator_code)): (r.earned, r.possible)
        for r in out.itertuples()
    }
    # Person 9 is not on the roster and is ignored.
    assert got == {
        (1, "a"): (2.0, 3.0),
        (1, "b"): (2.0, 2.0),
        (2, "a"): (1.0, 2.0),
        (2, "b"): (1.0, 2.0),
    }
