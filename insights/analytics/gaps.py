"""Training needs: priority from capability, remedy from training history."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class NeedRule:
    """The stated, configurable rule that turns a (unit, indicator) into a training need.

    ``full_people``: people answering at which the evidence stops growing with them;
    ``full_width``: the width of mastery's 95% interval at which the evidence is 0;
    ``shortfall_span``: how far below the indicator's province-wide mastery counts as
    fully short (0.2 = 20 percentage points); ``trained_share``: the share of a unit's
    staff who completed a course on the indicator from which the unit counts as
    trained.
    """

    full_people: int = 10
    full_width: float = 0.6
    shortfall_span: float = 0.2
    trained_share: float = 0.8


DEFAULT_NEED_RULE = NeedRule()


# What the training office is asked to do about a need.
REMEDIES = ("assign_course", "refresher", "build_course", "assess", "none")

PRIORITY_FORMULA = (
    "priority = 100 × (distance + evidence × shortfall) / 2. "
    "distance = min(1, max(0, −gap / (2 × band))): how far the unit's value is on the "
    "worse side of the average of units of the same level, in bands (direction-aware; "
    "0 at or better than the average, 1 at two bands or more worse; range indicators "
    "by their distance to the target band). "
    "shortfall = min(1, max(0, (m − mastery) / span)): how far the unit's shrunk "
    "mastery lies below the province-wide mastery m of the indicator (1 at span, 20 "
    "percentage points, or more). "
    "evidence = min(1, people / full_people) × max(0, 1 − interval width / full_width): "
    "more people answering and more questions (a narrower 95% interval) count more; 0 "
    "without a mastery figure. "
    "Completion does not raise or lower the priority; it chooses the remedy: no course "
    "targets the indicator → build_course; completion ≥ trained_share and mastery still "
    "short → refresher (and the course is flagged for review); otherwise → "
    "assign_course. Without a mastery figure: assess (or build_course when no course "
    "exists). No shortfall: none. Needs with a mastery figure come first, then needs "
    "without one, then the rest; each group highest priority first."
)


def _band_word(df: pd.DataFrame) -> np.ndarray:
    """above / near / below the same-level average by the raw value and the band;
    within / near / outside the target band for range indicators."""
    diff = (df["value"] - df["province_avg"]).to_numpy(dtype=float)
    width = df["band_width"].to_numpy(dtype=float)
    plain = np.where(diff > width, "above", np.where(diff < -width, "below", "near"))
    gap = df["gap"].to_numpy(dtype=float)
    ranged = np.where(
        gap >= 0, "within", np.where(gap >= -width, "near_target", "outside")
    )
    return np.where(df["direction"].to_numpy() == "range", ranged, plain)


def gap_cells(
    standings: pd.DataFrame,
    rates: pd.DataFrame,
    masteries: pd.DataFrame,
    *,
    targeted: set[str] | frozenset[str] = frozenset(),
    rule: NeedRule = DEFAULT_NEED_RULE,
) -> pd.DataFrame:
    """Join standing, completion and mastery; weigh each (unit, indicator) as a need.

    In: :func:`standing` for one period (with ``direction`` when range indicators are
    present), :func:`completion_rates`, :func:`mastery`, and ``targeted``: the
    indicators some course targets.
    Out: one row per (unit, indicator) with a value: the standing columns (the band
    width as ``band_width``) plus ``band`` (above/near/below the same-level average,
    within/near_target/outside for range indicators), ``gap_bands``,
    ``completion_rate``, ``headcount``, ``mastery``, ``raw_mastery``, ``people``,
    ``severity`` (distance), ``shortfall``, ``evidence``, ``priority`` (0–100) and
    ``remedy``, as PRIORITY_FORMULA states. Needs shown by mastery come first, then
    needs without a mastery figure, then the rest; each group sorted by priority
    (highest first), then the gap (worst first), unit and indicator code.

    Completion never lowers a need: a unit that took the course and still scores low
    is exactly the one whose course may not be working.
    """
    df = standings.rename(columns={"band": "band_width"})
    if "direction" not in df:
        df = df.assign(direction="higher_better")
    df = df.merge(
        rates[["unit_code", "indicator_code", "headcount", "completion_rate"]],
        on=["unit_code", "indicator_code"],
        how="left",
    )
    keep = ["unit_code", "indicator_code", "people", "raw_mastery", "mastery"]
    keep += [c for c in ("province_mastery", "interval") if c in masteries]
    df = df.merge(masteries[keep], on=["unit_code", "indicator_code"], how="left")
    for column in ("mastery", "raw_mastery", "province_mastery", "interval"):
        df[column] = df[column].astype("float64") if column in df else np.nan
    df["people"] = df["people"].fillna(0).astype("int64")
    df["completion_rate"] = df["completion_rate"].astype("float64")
    df["band"] = pd.array(_band_word(df), dtype="string")
    df["gap_bands"] = (df["gap"] / df["band_width"]).round(3)
    df["severity"] = (-df["gap"] / (2 * df["band_width"])).clip(0, 1).round(4)
    short = (df["province_mastery"] - df["mastery"]) / rule.shortfall_span
    df["shortfall"] = short.clip(0, 1).round(4)
    people = (df["people"] / rule.full_people).clip(upper=1)
    precision = (1 - df["interval"] / rule.full_width).clip(0, 1)
    evidence = (people * precision).where(df["mastery"].notna(), 0.0)
    df["evidence"] = evidence.fillna(0.0).round(4)
    need = df["evidence"] * df["shortfall"].fillna(0.0)
    df["priority"] = (100 * (df["severity"] + need) / 2).round(2)
    has_course = df["indicator_code"].isin(set(targeted)).to_numpy()
    short_now = (need > 0).to_numpy()
    unknown = df["mastery"].isna().to_numpy()
    trained = (df["completion_rate"].fillna(0) >= rule.trained_share).to_numpy()
    remedy = np.select(
        [
            short_now & ~has_course,
            short_now & trained,
            short_now,
            unknown & ~has_course,
            unknown,
        ],
        ["build_course", "refresher", "assign_course", "build_course", "assess"],
        default="none",
    )
    # Without a shortfall or a sign that the indicator is off, nothing asks for
    # training: an unknown mastery matters only where the value is worse.
    remedy = np.where(unknown & (df["severity"].to_numpy() <= 0), "none", remedy)
    df["remedy"] = pd.array(remedy, dtype="string")
    # Needs shown by mastery first, then needs whose mastery is not known yet (the
    # value alone is off), then the rest.
    df["_group"] = np.where(remedy == "none", 2, np.where(unknown, 1, 0))
    return (
        df.sort_values(
            ["_group", "priority", "gap", "unit_code", "indicator_code"],
            ascending=[True, False, True, True, True],
        )
        .drop(columns="_group")
        .reset_index(drop=True)
    )


def recommended_courses(
    gaps: pd.DataFrame,
    staff: pd.DataFrame,
    completions: pd.DataFrame,
    course_indicators: pd.DataFrame,
) -> pd.DataFrame:
    """Courses that target each gap's indicator and that not all of the unit completed
    (for a refresher: every such course, completed or not).

    In: gap rows (``unit_code, indicator_code`` and, optionally, ``remedy``),
    STAFF_COLUMNS, COMPLETION_COLUMNS, COURSE_INDICATOR_COLUMNS.
    Out: ``unit_code, indicator_code, course_code, unit_share`` (share of the unit's
    staff who completed it), least completed first.
    """
    pairs = gaps[["unit_code", "indicator_code"]].assign(
        refresher=(gaps["remedy"] == "refresher").to_numpy(dtype=bool)
        if "remedy" in gaps
        else False
    )
    pairs = pairs.drop_duplicates(["unit_code", "indicator_code"])
    candidates = pairs.merge(course_indicators, on="indicator_code")
    headcount = staff.groupby("unit_code").size().rename("headcount")
    done = (
        completions.drop_duplicates(["user_id", "course_code"])
        .merge(staff[["user_id", "unit_code"]], on="user_id")
        .groupby(["unit_code", "course_code"])
        .size()
        .rename("done")
        .reset_index()
    )
    df = candidates.merge(done, on=["unit_code", "course_code"], how="left").join(
        headcount, on="unit_code"
    )
    df["done"] = df["done"].fillna(0)
    df["unit_share"] = df["done"] / df["headcount"]
    df = df[(df["unit_share"] < 1) | df["refresher"]]
    return df.sort_values(
        ["unit_code", "indicator_code", "unit_share", "course_code"]
    ).reset_index(drop=True)[
        ["unit_code", "indicator_code", "course_code", "unit_share"]
    ]


def staff_to_remediate(
    gaps: pd.DataFrame,
    staff: pd.DataFrame,
    completions: pd.DataFrame,
    course_indicators: pd.DataFrame,
    *,
    min_group: int = 5,
) -> pd.DataFrame:
    """The people of a need's unit to train, chosen by training history, never by score.

    ``assign_course``: the staff who have not completed any course targeting the
    indicator; ``refresher``: every member of the unit (a refresher or practice for
    all, so that nobody's result shows through). Other remedies (build a course,
    assess first, none) name nobody. A unit with fewer than ``min_group`` people gets
    no list at all, and neither does a list shorter than ``min_group`` (it would point
    at a handful of individuals).
    In: gap rows (``unit_code, indicator_code, remedy``), STAFF_COLUMNS,
    COMPLETION_COLUMNS, COURSE_INDICATOR_COLUMNS.
    Out: ``unit_code, indicator_code, staff_nos`` — one row per gap, the list sorted by
    staff number (a list, never a ranking of people).

    Works on a people × indicators boolean matrix, so national rosters stay fast.
    """
    pairs = gaps[["unit_code", "indicator_code", "remedy"]].drop_duplicates(
        ["unit_code", "indicator_code"]
    )
    if pairs.empty or staff.empty:
        return pd.DataFrame(
            {"unit_code": pairs["unit_code"], "indicator_code": pairs["indicator_code"]}
        ).assign(staff_nos=[[] for _ in range(len(pairs))])
    people = staff.sort_values(["unit_code", "staff_no"]).reset_index(drop=True)
    row_of = pd.Series(np.arange(len(people)), index=people["user_id"].to_numpy())
    row_of = row_of[~row_of.index.duplicated()]
    codes = pd.Index(pairs["indicator_code"].unique())
    flagged = np.zeros((len(people), len(codes)), dtype=bool)
    targeted = codes.isin(set(course_indicators["indicator_code"]))
    flagged[:, targeted] = True  # not completed until a completion says otherwise
    done = completions.merge(course_indicators, on="course_code")
    done = done[done["indicator_code"].isin(codes) & done["user_id"].isin(row_of.index)]
    flagged[
        row_of.loc[done["user_id"]].to_numpy(),
        codes.get_indexer(done["indicator_code"]),
    ] = False
    unit_codes = people["unit_code"].to_numpy()
    starts = np.r_[0, np.flatnonzero(unit_codes[1:] != unit_codes[:-1]) + 1]
    bounds = dict(
        zip(
            unit_codes[starts],
            zip(starts, np.r_[starts[1:], len(people)], strict=True),
            strict=True,
        )
    )
    staff_nos = people["staff_no"].to_numpy(dtype=object)
    lists = []
    column = codes.get_indexer(pairs["indicator_code"])
    remedies = pairs["remedy"].to_numpy()
    for unit, col, remedy in zip(
        pairs["unit_code"].to_numpy(), column, remedies, strict=True
    ):
        span = bounds.get(unit)
        if span is None or remedy not in ("assign_course", "refresher"):
            lists.append([])
            continue
        a, b = span
        chosen = (
            staff_nos[a:b]
            if remedy == "refresher"
            else staff_nos[a:b][flagged[a:b, col]]
        )
        if b - a < min_group or len(chosen) < min_group:
            lists.append([])
            continue
        lists.append(chosen.tolist())
    return pd.DataFrame(
        {
            "unit_code": pairs["unit_code"].to_numpy(),
            "indicator_code": pairs["indicator_code"].to_numpy(),
            "staff_nos": lists,
        }
    )
