"""Training needs on a generated province: priority from capability, remedy from history.

Forty grassroots units of 12–30 people, three indicators, every unit answering ten
questions per indicator. Noise everywhere: values scattered around the average, some
units far off on an indicator while knowing it well, completion at the province's
usual rate (about half) and an indicator whose course was never assigned (0%
completion everywhere). Three gaps are planted, each with a different remedy.
"""

import numpy as np
import pytest

from insights import analytics as A

RATIO = ("case_ratio_criminal", "lower_better", np.nan, np.nan, True)
DETENTION = ("pretrial_detention_rate", "lower_better", np.nan, np.nan, False)
APPEAL = ("plea_appeal_rate", "lower_better", np.nan, np.nan, False)
# Planted: (unit, indicator) → (remedy, share of the unit who completed its course).
PLANTED = {
    ("U03", RATIO[0]): ("assign_course", 0.5),  # the province's usual rate
    ("U17", RATIO[0]): ("refresher", 1.0),  # trained, and still short
    ("U29", DETENTION[0]): ("build_course", 0.0),  # no course exists
}
COURSES = {RATIO[0]: "IND-102", APPEAL[0]: "CRM-201"}  # none for detention
QUESTIONS = 10


def province(seed=7):
    rng = np.random.default_rng(seed)
    units = [f"U{n:02d}" for n in range(40)]
    staff, completions, responses, values = [], [], [], []
    tags = [
        (q + 100 * k, code)
        for k, code in enumerate((RATIO[0], DETENTION[0], APPEAL[0]))
        for q in range(QUESTIONS)
    ]
    user = 0
    for unit in units:
        size = int(rng.integers(12, 31))
        for ind, mean, spread in (
            (RATIO[0], 1.45, 0.06),
            (DETENTION[0], 0.42, 0.03),
            (APPEAL[0], 0.035, 0.004),
        ):
            skill = rng.uniform(0.62, 0.85)
            value = mean + rng.normal(0, spread)
            planted = (unit, ind) in PLANTED
            if planted:
                skill, value = 0.3, mean + 3.5 * spread
            elif rng.random() < 0.15:
                # Far off on the indicator while knowing it well: not a training need.
                value = mean + 4 * spread
            values.append((unit, "grassroots", ind, "2026Q3", 1, value))
            share = PLANTED[(unit, ind)][1] if planted else rng.uniform(0.3, 0.7)
            if ind == APPEAL[0]:
                share = 0.0  # the course was never assigned anywhere
            base = user
            for p in range(size):
                uid = base + p
                if ind in COURSES and p < round(size * share):
                    completions.append((uid, COURSES[ind]))
                for q, code in tags:
                    if code == ind:
                        score = float(np.clip(rng.normal(skill, 0.15), 0, 1))
                        responses.append((uid, q, score, 1.0))
        for p in range(size):
            staff.append((user + p, f"{unit}S{p:02d}", unit))
        user += size
    return {
        "period": "2026Q3",
        "values": A.frame(values, A.VALUE_COLUMNS),
        "indicators": A.frame([RATIO, DETENTION, APPEAL], A.INDICATOR_COLUMNS),
        "staff": A.frame(staff, A.STAFF_COLUMNS),
        "completions": A.frame(sorted(set(completions)), A.COMPLETION_COLUMNS),
        "course_indicators": A.frame(
            [(c, i) for i, c in COURSES.items()], A.COURSE_INDICATOR_COLUMNS
        ),
        "responses": A.frame(responses, A.RESPONSE_COLUMNS),
        "question_indicators": A.frame(tags, A.QUESTION_INDICATOR_COLUMNS),
        "resamples": 200,
    }


@pytest.fixture(scope="module")
def result():
    return A.analyse(**province())


def test_every_planted_gap_is_in_the_top_five_with_the_right_remedy(result):
    top = result.cells.head(5)
    found = {
        (r.unit_code, r.indicator_code): r.remedy
        for r in top.itertuples()
        if (r.unit_code, r.indicator_code) in PLANTED
    }
    assert found == {key: remedy for key, (remedy, _share) in PLANTED.items()}


def test_completing_the_course_does_not_lower_a_need(result):
    cells = result.cells.set_index(["unit_code", "indicator_code"])
    trained = cells.loc[("U17", RATIO[0])]
    untrained = cells.loc[("U03", RATIO[0])]
    assert trained.completion_rate == 1.0
    assert trained.priority > 40
    assert untrained.priority > 40


def test_a_course_never_assigned_does_not_make_needs(result):
    appeal = result.cells[result.cells["indicator_code"] == APPEAL[0]]
    assert (appeal["completion_rate"] == 0).all()
    # Far-off values with good mastery are not training needs, whatever completion.
    assert set(appeal["remedy"]) <= {"none", "assign_course"}
    assert appeal["priority"].max() < result.cells.head(3)["priority"].min()


def test_people_to_train_follow_history_not_scores(result):
    rows = result.remediation.set_index(["unit_code", "indicator_code"])
    staff = A.frame(province()["staff"].itertuples(index=False), A.STAFF_COLUMNS)
    u03 = staff[staff["unit_code"] == "U03"]["staff_no"].tolist()
    u17 = staff[staff["unit_code"] == "U17"]["staff_no"].tolist()
    # Not yet trained: the half who have not completed the course.
    assigned = rows.loc[("U03", RATIO[0]), "staff_nos"]
    assert assigned == sorted(u03)[round(len(u03) * 0.5) :]
    # Trained and still short: the whole unit, so nobody's result shows through.
    assert rows.loc[("U17", RATIO[0]), "staff_nos"] == sorted(u17)
    # No course yet: a request to the trainers, nobody named.
    assert rows.loc[("U29", DETENTION[0]), "staff_nos"] == []


def test_a_refresher_recommends_the_course_already_taken(result):
    courses = result.courses
    mine = courses[
        (courses["unit_code"] == "U17") & (courses["indicator_code"] == RATIO[0])
    ]
    assert mine["course_code"].tolist() == ["IND-102"]


def _one_unit(size, completed):
    staff = A.frame([(n, f"S{n}", "A") for n in range(size)], A.STAFF_COLUMNS)
    gaps = A.frame(
        [("A", RATIO[0])], {"unit_code": "string", "indicator_code": "string"}
    )
    gaps["remedy"] = ["assign_course"]
    completions = A.frame(
        [(n, "IND-102") for n in range(completed)], A.COMPLETION_COLUMNS
    )
    course = A.frame([("IND-102", RATIO[0])], A.COURSE_INDICATOR_COLUMNS)
    out = A.staff_to_remediate(gaps, staff, completions, course, min_group=5)
    return out["staff_nos"].iloc[0]


def test_no_list_for_a_group_under_five():
    assert _one_unit(3, 0) == []  # a unit of three
    assert _one_unit(20, 17) == []  # three people would be singled out
    assert len(_one_unit(20, 10)) == 10


def test_the_formula_is_stated_with_its_parts():
    formula = A.PRIORITY_FORMULA
    for part in ("distance", "shortfall", "evidence", "remedy", "build_course"):
        assert part in formula
