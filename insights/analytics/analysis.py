"""The whole analysis for one period and its plain, JSON-ready rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cells import CELL_FIELDS
from .correlation import correlations
from .effect import difference_in_differences
from .frames import (
    DEFAULT_TIER_RULE,
    EXPOSURE_COLUMNS,
    QUESTION_INDICATOR_COLUMNS,
    RESPONSE_COLUMNS,
    TierRule,
    empty,
)
from .gaps import (
    DEFAULT_NEED_RULE,
    NeedRule,
    gap_cells,
    recommended_courses,
    staff_to_remediate,
)
from .mastery import completion_rates, mastery, mastery_from_sums, person_scores
from .standing import standing, trends


@dataclass
class GapAnalysis:
    cells: pd.DataFrame  # gap_cells, highest priority first
    correlations: pd.DataFrame
    courses: pd.DataFrame  # recommended_courses
    remediation: pd.DataFrame  # staff_to_remediate (one row per gap)
    history: pd.DataFrame  # standing over every period (with trends)
    did: pd.DataFrame


def analyse(
    *,
    period: str,
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    staff: pd.DataFrame,
    completions: pd.DataFrame,
    course_indicators: pd.DataFrame,
    responses: pd.DataFrame | None = None,
    question_indicators: pd.DataFrame | None = None,
    unit_scores: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
    rule: TierRule = DEFAULT_TIER_RULE,
    need_rule: NeedRule = DEFAULT_NEED_RULE,
    min_group: int = 5,
    resamples: int = 1000,
    seed: int = 20241001,
) -> GapAnalysis:
    """Run every step for one period; ``values`` may hold other periods for trends.

    In: the frames of the declared input columns; the answers either one per row
    (``responses`` with ``question_indicators``) or, as the database hands them over
    at scale, summed per unit (``unit_scores``, UNIT_SCORE_COLUMNS). No person's
    score is needed beyond those sums: the people to train are chosen by their
    training history (:func:`staff_to_remediate`).
    Out: :class:`GapAnalysis`.
    """
    history = standing(values, indicators, rule)
    history = history.merge(
        trends(history)[
            ["unit_code", "indicator_code", "period", "change", "improved"]
        ],
        on=["unit_code", "indicator_code", "period"],
        how="left",
    )
    current = history[history["period"] == period]
    current = current.drop(columns=["change", "improved"]).merge(
        indicators[["indicator_code", "direction"]], on="indicator_code", how="left"
    )
    rates = completion_rates(staff, completions, course_indicators)
    if unit_scores is not None:
        masteries = mastery_from_sums(unit_scores, min_group=min_group)
    else:
        scores = person_scores(
            staff,
            responses if responses is not None else empty(RESPONSE_COLUMNS),
            question_indicators
            if question_indicators is not None
            else empty(QUESTION_INDICATOR_COLUMNS),
        )
        masteries = mastery(scores, min_group=min_group)
    cells = gap_cells(
        current,
        rates,
        masteries,
        targeted=set(course_indicators["indicator_code"]),
        rule=need_rule,
    )
    corr = correlations(cells, resamples=resamples, seed=seed)
    courses = recommended_courses(cells, staff, completions, course_indicators)
    remediation = staff_to_remediate(
        cells, staff, completions, course_indicators, min_group=min_group
    )
    did = difference_in_differences(
        history, exposure if exposure is not None else empty(EXPOSURE_COLUMNS)
    )
    return GapAnalysis(
        cells=cells,
        correlations=corr,
        courses=courses,
        remediation=remediation,
        history=history,
        did=did,
    )


def _json(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else round(float(value), 6)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _plain(series: pd.Series) -> np.ndarray:
    """A column as an object array of plain Python values: floats rounded to 6
    places, NaN/NA as None (vectorised, no per-element pandas access)."""
    out = np.empty(len(series), dtype=object)
    if pd.api.types.is_bool_dtype(series) and not series.hasnans:
        out[:] = series.to_numpy(dtype=bool).tolist()
        return out
    if pd.api.types.is_numeric_dtype(series):
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        present = np.isfinite(numbers)
        if pd.api.types.is_integer_dtype(series):
            out[present] = numbers[present].astype("int64").tolist()
        else:
            out[present] = np.round(numbers[present], 6).tolist()
        return out
    out[:] = series.astype(object).to_numpy()
    out[pd.isna(out)] = None
    return out


def cell_rows(result: GapAnalysis) -> pd.DataFrame:
    """One row per (unit, indicator) as a snapshot stores it.

    Out: CELL_FIELDS as plain Python values (floats rounded to 6 places, None for
    missing), then ``recommended_courses`` (course codes, least completed first),
    ``staff_to_remediate`` (staff numbers, sorted), ``history`` (``[period, value,
    standing, tier]`` oldest first), ``in_period`` and ``rank``. Rows of the period
    come first, highest priority first (``rank`` 0, 1, …); then units and indicators
    with values in earlier periods only (``in_period`` false, no gap figures). No raw
    mastery: a small group's figure never leaves the analysis.
    """
    cells = result.cells
    out = pd.DataFrame({c: _plain(cells[c]) for c in CELL_FIELDS})
    keys = pd.MultiIndex.from_arrays(
        [out["unit_code"].to_numpy(), out["indicator_code"].to_numpy()]
    )
    courses = result.courses
    course_lists = (
        pd.Series(
            courses["course_code"].astype(object).to_numpy(),
            index=pd.MultiIndex.from_arrays(
                [
                    courses["unit_code"].astype(object).to_numpy(),
                    courses["indicator_code"].astype(object).to_numpy(),
                ]
            ),
        )
        .groupby(level=[0, 1], sort=False)
        .agg(list)
        if len(courses)
        else pd.Series(dtype=object)
    )
    got = course_lists.reindex(keys).to_numpy() if len(course_lists) else None
    out["recommended_courses"] = (
        [c if isinstance(c, list) else [] for c in got]
        if got is not None
        else [[] for _ in range(len(out))]
    )
    remediation = result.remediation
    staff = pd.Series(
        remediation["staff_nos"].to_numpy(),
        index=pd.MultiIndex.from_arrays(
            [
                remediation["unit_code"].astype(object).to_numpy(),
                remediation["indicator_code"].astype(object).to_numpy(),
            ]
        ),
    )
    staff = staff[~staff.index.duplicated()]
    got = staff.reindex(keys).to_numpy() if len(staff) else [None] * len(out)
    out["staff_to_remediate"] = [c if isinstance(c, list) else [] for c in got]
    out["in_period"] = True

    history = result.history.sort_values(
        ["unit_code", "indicator_code", "period_order"], kind="stable"
    )
    unit = history["unit_code"].astype(object).to_numpy()
    indicator = history["indicator_code"].astype(object).to_numpy()
    points = list(
        map(
            list,
            zip(
                _plain(history["period"]),
                _plain(history["value"]),
                _plain(history["standing"]),
                _plain(history["tier"]),
                strict=True,
            ),
        )
    )
    if len(points):
        change = np.r_[
            True, (unit[1:] != unit[:-1]) | (indicator[1:] != indicator[:-1])
        ]
        starts = np.flatnonzero(change)
        bounds = np.r_[starts, len(points)]
        series = pd.Series(
            [points[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
            index=pd.MultiIndex.from_arrays([unit[starts], indicator[starts]]),
            dtype=object,
        )
        got = series.reindex(keys).to_numpy()
        out["history"] = [h if isinstance(h, list) else [] for h in got]
        earlier = series[~series.index.isin(keys)]
    else:
        out["history"] = [[] for _ in range(len(out))]
        earlier = pd.Series(dtype=object)
    if len(earlier):
        levels = history.drop_duplicates("unit_code").set_index("unit_code")["level"]
        extra = pd.DataFrame(
            {c: np.full(len(earlier), None, dtype=object) for c in CELL_FIELDS}
        )
        extra["unit_code"] = earlier.index.get_level_values(0).to_numpy()
        extra["indicator_code"] = earlier.index.get_level_values(1).to_numpy()
        extra["level"] = _plain(
            levels.reindex(extra["unit_code"]).reset_index(drop=True)
        )
        extra["people"] = 0
        extra["recommended_courses"] = [[] for _ in range(len(extra))]
        extra["staff_to_remediate"] = [[] for _ in range(len(extra))]
        extra["history"] = earlier.to_numpy()
        extra["in_period"] = False
        out = pd.concat([out, extra], ignore_index=True)
    out["rank"] = np.arange(len(out))
    return out


def payload_part(frame: pd.DataFrame) -> list[dict]:
    """Rows of a small result frame (correlations, did) as JSON-ready dicts."""
    return [{k: _json(v) for k, v in row.items()} for row in frame.to_dict("records")]


def payload(result: GapAnalysis, rows: pd.DataFrame | None = None) -> dict:
    """The analysis as plain JSON-ready data (what ``gap_analysis`` prints).

    Out: ``cells`` (one dict per gap row, highest priority first, with
    ``recommended_courses`` and ``staff_to_remediate``; no raw mastery, so that a small
    group's figure never leaves this function), ``correlations``, ``did`` and
    ``history`` (unit → indicator → [[period, value, standing, tier], …] oldest first).
    ``rows`` is :func:`cell_rows` of the result when the caller has it already.
    """
    if rows is None:
        rows = cell_rows(result)
    current = rows[rows["in_period"]]
    fields = CELL_FIELDS + ["recommended_courses", "staff_to_remediate"]
    cells = [
        dict(zip(fields, values, strict=True))
        for values in zip(*(current[f].tolist() for f in fields), strict=True)
    ]
    history: dict[str, dict[str, list]] = {}
    for unit, indicator, points in zip(
        rows["unit_code"].tolist(),
        rows["indicator_code"].tolist(),
        rows["history"].tolist(),
        strict=True,
    ):
        if points:
            history.setdefault(unit, {})[indicator] = points
    history = {u: dict(sorted(i.items())) for u, i in sorted(history.items())}
    return {
        "cells": cells,
        "correlations": payload_part(result.correlations),
        "did": payload_part(result.did),
        "history": history,
    }


def capability(
    staff: pd.DataFrame,
    completions: pd.DataFrame,
    course_indicators: pd.DataFrame,
    responses: pd.DataFrame,
    question_indicators: pd.DataFrame,
    indicator_codes: list[str],
) -> pd.DataFrame:
    """A unit's standardised training signal per indicator (used to build demo data).

    In: the input frames of :func:`analyse` and the indicators wanted.
    Out: ``unit_code, indicator_code, signal``: the mean of the z-scores (across
    units) of raw mastery and completion rate, 0 where neither exists.
    """
    units = staff[["unit_code"]].drop_duplicates()
    grid = units.merge(pd.DataFrame({"indicator_code": indicator_codes}), how="cross")
    rates = completion_rates(staff, completions, course_indicators)
    scores = person_scores(staff, responses, question_indicators)
    masteries = mastery(scores, min_group=1)
    df = grid.merge(
        rates[["unit_code", "indicator_code", "completion_rate"]],
        on=["unit_code", "indicator_code"],
        how="left",
    ).merge(
        masteries[["unit_code", "indicator_code", "raw_mastery"]],
        on=["unit_code", "indicator_code"],
        how="left",
    )
    for column in ("completion_rate", "raw_mastery"):
        values = df[column].astype("float64")
        grouped = values.groupby(df["indicator_code"])
        sd = grouped.transform("std").replace(0, np.nan)
        df[column + "_z"] = (values - grouped.transform("mean")) / sd
    df["signal"] = df[["completion_rate_z", "raw_mastery_z"]].mean(axis=1).fillna(0)
    return df[["unit_code", "indicator_code", "signal"]]
