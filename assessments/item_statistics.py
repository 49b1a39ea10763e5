"""Item statistics (Moodle's quiz statistics report), as pure pandas functions.

No ORM, no I/O, no clock: the Celery task gathers records through selectors and
stores what these functions return.

Input columns of ``marks`` (one row per attempt and slot):
    attempt_id  int     the attempt
    slot        str     the position in the quiz ("3", or "5.2" for the 2nd question
                        drawn by a random slot at position 5)
    question_id int     the question shown in that slot
    mark        float   x_i(a), the final mark including negative marks
    max_mark    float   the question's maximum mark
    random      bool    whether the slot is a random draw
    rgs         float   the question's random guess score (fraction), NaN if unknown

Formulas: /docs in the module's functions; s = attempts, P = slots,
V = sample variance (ddof=1), C = sample covariance, r = correlation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MARK_COLUMNS = [
    "attempt_id",
    "slot",
    "question_id",
    "mark",
    "max_mark",
    "random",
    "rgs",
]
DUBIOUS_DE = 15.0  # Moodle: a question is "dubious" when DE < 15 %
NEED_LOWER, NEED_UPPER = 30.0, 50.0


def _nan_to_none(value):
    if value is None:
        return None
    try:
        return None if math.isnan(value) or math.isinf(value) else float(value)
    except TypeError:
        return value


def _cov(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return float("nan")
    return float(((x - x.mean()) * (y - y.mean())).sum() / (len(x) - 1))


def _var(x: np.ndarray) -> float:
    return _cov(x, x)


def test_totals(marks: pd.DataFrame) -> pd.Series:
    """T_a for every attempt (index attempt_id)."""
    return marks.groupby("attempt_id")["mark"].sum()


def test_statistics(marks: pd.DataFrame) -> dict:
    """Test-level figures: attempts, mean (% of the summed maximum), median, SD,
    skewness, kurtosis, CIC (100 × Cronbach's α), error ratio and standard error.

    Marks are raw; mean/median/SD are returned both raw and as a % of the quiz's
    summed maximum marks (``*_percent``). Figures that need more attempts are None.
    """
    if marks.empty:
        return {"attempts": 0}
    totals = test_totals(marks).to_numpy(dtype=float)
    s = len(totals)
    slots = marks.groupby("slot")
    p = slots.ngroups
    max_total = float(slots["max_mark"].mean().sum())
    mean = float(totals.mean())
    result = {
        "attempts": s,
        "slots": p,
        "max_total": max_total,
        "mean": mean,
        "median": float(np.median(totals)),
    }
    sd = math.sqrt(_var(totals)) if s > 1 else None
    result["sd"] = sd
    m2 = float(((totals - mean) ** 2).mean())
    m3 = float(((totals - mean) ** 3).mean())
    m4 = float(((totals - mean) ** 4).mean())
    k2 = s / (s - 1) * m2 if s > 1 else None
    skew = kurt = cic = er = se = None
    if s > 2 and k2:
        k3 = s**2 / ((s - 1) * (s - 2)) * m3
        skew = k3 / k2**1.5
    if s > 3 and k2:
        k4 = s**2 * ((s + 1) * m4 - 3 * (s - 1) * m2**2) / ((s - 1) * (s - 2) * (s - 3))
        kurt = k4 / k2**2
    if p > 1 and s > 2 and k2:
        slot_var = marks.pivot_table(
            index="attempt_id", columns="slot", values="mark", aggfunc="sum"
        ).var(ddof=1)
        cic = 100 * p / (p - 1) * (1 - float(slot_var.sum()) / k2)
        er = 100 * math.sqrt(1 - cic / 100) if cic <= 100 else 0.0
        se = er / 100 * sd if sd is not None else None
    result.update(
        {
            "skewness": skew,
            "kurtosis": kurt,
            "cic": cic,
            "error_ratio": er,
            "standard_error": se,
        }
    )
    if max_total:
        for name in ("mean", "median", "sd", "standard_error"):
            value = result.get(name)
            result[f"{name}_percent"] = (
                None if value is None else 100 * value / max_total
            )
    return {k: _nan_to_none(v) for k, v in result.items()}


def _item_figures(x: np.ndarray, other: np.ndarray, max_mark: float) -> dict:
    """Facility, SD, discrimination index and discriminative efficiency of one item,
    where ``other`` is the rest-of-test score (or the total for random sub-questions)."""
    s = len(x)
    figures = {
        "attempts": s,
        "facility": 100 * float(x.mean()) / max_mark if max_mark else None,
        "sd": 100 * math.sqrt(_var(x)) / max_mark if s > 1 and max_mark else None,
        "discrimination": None,
        "discriminative_efficiency": None,
    }
    if s > 1:
        vx, vo = _var(x), _var(other)
        c = _cov(x, other)
        if vx > 0 and vo > 0:
            figures["discrimination"] = 100 * c / math.sqrt(vx * vo)
        cmax = _cov(np.sort(x), np.sort(other))
        if cmax > 0:
            figures["discriminative_efficiency"] = 100 * c / cmax
    return figures


def slot_statistics(marks: pd.DataFrame) -> pd.DataFrame:
    """One row per slot: slot, question_id (the question if the slot is fixed),
    attempts, facility, sd, random_guess_score, intended_weight, effective_weight
    (None when the covariance with the total is negative), discrimination,
    discriminative_efficiency, dubious (DE < 15)."""
    columns = [
        "slot",
        "question_id",
        "random",
        "attempts",
        "facility",
        "sd",
        "random_guess_score",
        "intended_weight",
        "effective_weight",
        "negative_covariance",
        "discrimination",
        "discriminative_efficiency",
        "dubious",
    ]
    if marks.empty:
        return pd.DataFrame(columns=columns)
    wide = marks.pivot_table(
        index="attempt_id", columns="slot", values="mark", aggfunc="sum"
    )
    totals = wide.sum(axis=1)
    slot_info = marks.groupby("slot").agg(
        max_mark=("max_mark", "mean"),
        random=("random", "max"),
        question_id=("question_id", "first"),
        n_questions=("question_id", "nunique"),
        rgs=("rgs", "mean"),
    )
    total_max = float(slot_info["max_mark"].sum())
    rows = []
    sqrt_cov = {}
    for slot, info in slot_info.iterrows():
        x = wide[slot].to_numpy(dtype=float)
        t = totals.to_numpy(dtype=float)
        figures = _item_figures(x, t - x, float(info["max_mark"]))
        cov_t = _cov(x, t)
        sqrt_cov[slot] = math.sqrt(cov_t) if cov_t > 0 else None
        rows.append(
            {
                "slot": slot,
                "question_id": int(info["question_id"])
                if info["n_questions"] == 1
                else None,
                "random": bool(info["random"]),
                **figures,
                "random_guess_score": None
                if pd.isna(info["rgs"])
                else 100 * float(info["rgs"]),
                "intended_weight": 100 * float(info["max_mark"]) / total_max
                if total_max
                else None,
                "negative_covariance": cov_t < 0,
            }
        )
    positive = sum(v for v in sqrt_cov.values() if v)
    for row in rows:
        root = sqrt_cov[row["slot"]]
        row["effective_weight"] = 100 * root / positive if root and positive else None
        de = row["discriminative_efficiency"]
        row["dubious"] = de is None or de < DUBIOUS_DE
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("slot", key=lambda s: s.map(_slot_key)).reset_index(
        drop=True
    )


def _slot_key(slot: str):
    return tuple(int(p) if p.isdigit() else p for p in str(slot).split("."))


def random_question_statistics(marks: pd.DataFrame) -> pd.DataFrame:
    """Questions drawn into random slots, each with its own figures; as in Moodle they
    are correlated with the total T (no rest-of-test correction)."""
    columns = [
        "question_id",
        "attempts",
        "facility",
        "sd",
        "discrimination",
        "discriminative_efficiency",
        "dubious",
    ]
    drawn = marks[marks["random"]]
    if drawn.empty:
        return pd.DataFrame(columns=columns)
    totals = test_totals(marks)
    rows = []
    for question_id, group in drawn.groupby("question_id"):
        x = group["mark"].to_numpy(dtype=float)
        t = totals.loc[group["attempt_id"]].to_numpy(dtype=float)
        figures = _item_figures(x, t, float(group["max_mark"].mean()))
        de = figures["discriminative_efficiency"]
        rows.append(
            {
                "question_id": int(question_id),
                **figures,
                "dubious": de is None or de < DUBIOUS_DE,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def needs_checking(per_quiz: pd.DataFrame) -> pd.DataFrame:
    """Bank-wide figures per question from its figures in every quiz.

    Needs ``question_id, facility, discrimination, discriminative_efficiency`` (one
    row per quiz that used the question); returns ``question_id, quizzes, facility,
    discrimination, discriminative_efficiency, needs_checking`` where needs_checking
    is "very_likely" (mean D < 30), "likely" (< 50) or "unlikely".
    """
    columns = [
        "question_id",
        "quizzes",
        "facility",
        "discrimination",
        "discriminative_efficiency",
        "needs_checking",
    ]
    if per_quiz.empty:
        return pd.DataFrame(columns=columns)
    grouped = (
        per_quiz.groupby("question_id")
        .agg(
            quizzes=("facility", "size"),
            facility=("facility", "mean"),
            discrimination=("discrimination", "mean"),
            discriminative_efficiency=("discriminative_efficiency", "mean"),
        )
        .reset_index()
    )

    def verdict(d):
        if pd.isna(d):
            return None
        return (
            "very_likely"
            if d < NEED_LOWER
            else "likely"
            if d < NEED_UPPER
            else "unlikely"
        )

    grouped["needs_checking"] = grouped["discrimination"].map(verdict)
    return grouped[columns]


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (NaN → None)."""
    return [
        {
            k: _nan_to_none(v)
            if isinstance(v, float)
            else (v.item() if hasattr(v, "item") else v)
            for k, v in row.items()
        }
        for row in frame.to_dict("records")
    ]
