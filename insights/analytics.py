"""Capability-gap analytics: pure pandas functions, frames in, frames out.

No ORM, no I/O, no clock: ``insights.tasks`` gathers records through selectors, these
functions compute, and ``insights.services`` stores the result as a snapshot.

Everything here is an internal self-diagnosis aid. The correlations are associations,
not causes; groups below the minimum size get no mastery figure; no function ranks
individual people (the staff to remediate are listed, sorted by staff number).

Input frames (columns and dtypes, declared once here):
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

# Indicator values of units: one row per (unit, indicator, period).
VALUE_COLUMNS = {
    "unit_code": "string",
    "level": "string",  # city / grassroots / province: standing compares like with like
    "indicator_code": "string",
    "period": "string",
    "period_order": "int64",  # sortable position of the period (e.g. its start ordinal)
    "value": "float64",
}
# The catalogue: direction and, for range indicators, the target band.
INDICATOR_COLUMNS = {
    "indicator_code": "string",
    "direction": "string",  # higher_better / lower_better / range
    "target_low": "float64",
    "target_high": "float64",
    "is_ratio": "bool",  # ratios such as 案-件比 use the ratio band, others the rate band
}
# The roster: every active person, attached to the procuratorate whose indicators
# describe their work (department staff belong to their procuratorate).
STAFF_COLUMNS = {"user_id": "int64", "staff_no": "string", "unit_code": "string"}
# Course completions (not superseded, up to the end of the period).
COMPLETION_COLUMNS = {"user_id": "int64", "course_code": "string"}
# Which courses target which indicators.
COURSE_INDICATOR_COLUMNS = {"course_code": "string", "indicator_code": "string"}
# Scored answers: platform attempts and imported results; score is the fraction 0–1 of
# the question's points.
RESPONSE_COLUMNS = {
    "user_id": "int64",
    "question_id": "int64",
    "score": "float64",
    "points": "float64",
}
# Which questions are tagged with which indicators.
QUESTION_INDICATOR_COLUMNS = {"question_id": "int64", "indicator_code": "string"}
# The same answers summed per unit and indicator (what the database hands over at
# scale): people who answered, points earned (score clipped to 0–1 × points) and
# possible. Units are procuratorates, people on the roster only.
UNIT_SCORE_COLUMNS = {
    "unit_code": "string",
    "indicator_code": "string",
    "people": "int64",
    "earned": "float64",
    "possible": "float64",
}
# Campaign exposure: a unit reached by a campaign whose courses target an indicator,
# and the position (period_order) of the first period that began after it started.
EXPOSURE_COLUMNS = {
    "unit_code": "string",
    "indicator_code": "string",
    "first_period_order": "int64",
}

TIERS = ("upper", "middle", "lower")


@dataclass(frozen=True)
class TierRule:
    """The stated, configurable rule for 上游/中游/下游.

    The gap g is the unit's value minus the average of units of the same level, with
    the sign chosen so that positive is better. g > band → upper; |g| ≤ band →
    middle; g < −band → lower. The band is ``rate_band`` (5 percentage points, 0.05)
    for rates and ``ratio_band`` (0.1) for ratios such as 案-件比. A range indicator is
    measured by its distance d to the target band instead: inside the band (d = 0) →
    upper, d ≤ band → middle, further → lower.
    """

    rate_band: float = 0.05
    ratio_band: float = 0.1


def empty(columns: dict[str, str]) -> pd.DataFrame:
    """An empty frame with the declared columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def frame(records, columns: dict[str, str]) -> pd.DataFrame:
    """Records (dicts or tuples in column order) as a frame with the declared dtypes."""
    records = list(records)
    if not records:
        return empty(columns)
    return pd.DataFrame.from_records(records, columns=list(columns)).astype(columns)


# Standing --------------------------------------------------------------------------


def standing(
    values: pd.DataFrame, indicators: pd.DataFrame, rule: TierRule = TierRule()
) -> pd.DataFrame:
    """Each unit's standing among units of the same level, per indicator and period.

    In: VALUE_COLUMNS, INDICATOR_COLUMNS.
    Out: the value columns plus ``province_avg`` (mean of units of the same level in
    that period), ``gap`` (direction-adjusted: positive is better; for range indicators
    minus the distance to the band), ``band``, ``standing`` (0 worst … 1 best: the
    unit's rank among units of the same level, ties averaged; 0.5 when alone) and
    ``tier`` (upper/middle/lower by ``rule``).
    """
    if values.empty:
        out = values.copy()
        for column, dtype in {
            "province_avg": "float64",
            "gap": "float64",
            "band": "float64",
            "standing": "float64",
            "tier": "string",
        }.items():
            out[column] = pd.Series(dtype=dtype)
        return out
    df = values.merge(indicators, on="indicator_code", how="inner")
    keys = ["indicator_code", "period", "level"]
    df["province_avg"] = df.groupby(keys)["value"].transform("mean")
    df["band"] = np.where(df["is_ratio"], rule.ratio_band, rule.rate_band)
    direction = df["direction"].to_numpy()
    value = df["value"].to_numpy()
    avg = df["province_avg"].to_numpy()
    low = df["target_low"].to_numpy()
    high = df["target_high"].to_numpy()
    distance = np.where(
        value < low, low - value, np.where(value > high, value - high, 0.0)
    )
    gap = np.select(
        [direction == "higher_better", direction == "lower_better"],
        [value - avg, avg - value],
        default=-distance,
    )
    # Rounded so that a gap of exactly one band (0.42 − 0.37) is not lost to binary
    # floating point.
    df["gap"] = np.round(gap, 9)
    band = df["band"].to_numpy()
    is_range = direction == "range"
    g = df["gap"].to_numpy()
    tier = np.where(
        is_range,
        np.where(g >= 0, "upper", np.where(g >= -band, "middle", "lower")),
        np.where(g > band, "upper", np.where(g >= -band, "middle", "lower")),
    )
    df["tier"] = pd.array(tier, dtype="string")
    counts = df.groupby(keys)["gap"].transform("count")
    ranks = df.groupby(keys)["gap"].rank(method="average")
    df["standing"] = np.where(counts > 1, (ranks - 1) / (counts - 1).clip(lower=1), 0.5)
    columns = list(values.columns) + [
        "province_avg",
        "gap",
        "band",
        "standing",
        "tier",
    ]
    return df[columns].reset_index(drop=True)


def trends(standings: pd.DataFrame) -> pd.DataFrame:
    """Change since the previous period of the same unit and indicator.

    In: the output of :func:`standing` over several periods.
    Out: ``unit_code, indicator_code, period, previous_period, change`` (value change)
    and ``improved`` (the direction-adjusted gap rose: True/False, NA without a
    previous period).
    """
    if standings.empty:
        return pd.DataFrame(
            columns=[
                "unit_code",
                "indicator_code",
                "period",
                "previous_period",
                "change",
                "improved",
            ]
        )
    df = standings.sort_values("period_order")
    grouped = df.groupby(["unit_code", "indicator_code"], sort=False)
    df = df.assign(
        previous_period=grouped["period"].shift(),
        change=df["value"] - grouped["value"].shift(),
        gap_change=df["gap"] - grouped["gap"].shift(),
    )
    df["improved"] = pd.array(
        np.where(df["gap_change"].isna(), None, df["gap_change"] > 0), dtype="boolean"
    )
    return df[
        [
            "unit_code",
            "indicator_code",
            "period",
            "previous_period",
            "change",
            "improved",
        ]
    ].reset_index(drop=True)


# Training and knowledge ------------------------------------------------------------


def completion_rates(
    staff: pd.DataFrame,
    completions: pd.DataFrame,
    course_indicators: pd.DataFrame,
) -> pd.DataFrame:
    """Share of a unit's staff who completed at least one course targeting an indicator.

    In: STAFF_COLUMNS, COMPLETION_COLUMNS, COURSE_INDICATOR_COLUMNS.
    Out: ``unit_code, indicator_code, headcount, completed, completion_rate`` for every
    unit with staff × every indicator that some course targets (the roster is the
    denominator: people who never signed in count as not completed).
    """
    headcount = staff.groupby("unit_code").size().rename("headcount").reset_index()
    targeted = course_indicators["indicator_code"].drop_duplicates()
    grid = headcount.merge(targeted.to_frame(), how="cross")
    done = (
        completions.merge(course_indicators, on="course_code")
        .merge(staff[["user_id", "unit_code"]], on="user_id")
        .drop_duplicates(["user_id", "indicator_code"])
        .groupby(["unit_code", "indicator_code"])
        .size()
        .rename("completed")
        .reset_index()
    )
    out = grid.merge(done, on=["unit_code", "indicator_code"], how="left")
    out["completed"] = out["completed"].fillna(0).astype("int64")
    out["completion_rate"] = out["completed"] / out["headcount"]
    return out[
        ["unit_code", "indicator_code", "headcount", "completed", "completion_rate"]
    ]


def person_scores(
    staff: pd.DataFrame,
    responses: pd.DataFrame,
    question_indicators: pd.DataFrame,
) -> pd.DataFrame:
    """Each person's points earned and possible on questions tagged with an indicator.

    In: STAFF_COLUMNS, RESPONSE_COLUMNS, QUESTION_INDICATOR_COLUMNS.
    Out: ``user_id, unit_code, indicator_code, earned, possible`` (people on the roster
    only; the two codes as categoricals).
    """
    columns = ["user_id", "unit_code", "indicator_code", "earned", "possible"]
    if responses.empty or question_indicators.empty or staff.empty:
        return pd.DataFrame(
            {
                "user_id": pd.Series(dtype="int64"),
                "unit_code": pd.Series(dtype="category"),
                "indicator_code": pd.Series(dtype="category"),
                "earned": pd.Series(dtype="float64"),
                "possible": pd.Series(dtype="float64"),
            }
        )
    # Integer keys throughout: ten million answers are summed with bincount over
    # (person, indicator) instead of a groupby over text columns, and without copying
    # the answers into a merged frame.
    people = staff.drop_duplicates("user_id").reset_index(drop=True)
    units = pd.Categorical(people["unit_code"])
    codes = pd.Index(question_indicators["indicator_code"].unique())
    tags = pd.DataFrame(
        {
            "question_id": question_indicators["question_id"].to_numpy(),
            "ind": codes.get_indexer(question_indicators["indicator_code"]),
        }
    ).drop_duplicates()
    first = tags.drop_duplicates("question_id")
    extra = tags[tags.duplicated("question_id")]
    qids = responses["question_id"].to_numpy()
    lookup = np.full(int(max(qids.max(initial=0), first["question_id"].max())) + 1, -1)
    lookup[first["question_id"].to_numpy()] = first["ind"].to_numpy()
    row = pd.Index(people["user_id"]).get_indexer(responses["user_id"])
    earned_all = (
        responses["score"].clip(0, 1).to_numpy() * responses["points"].to_numpy()
    )
    points_all = responses["points"].to_numpy()
    parts = [(row, lookup[qids], earned_all, points_all)]
    if not extra.empty:
        # Questions tagged with several indicators count once for each of them.
        more = np.isin(qids, extra["question_id"].to_numpy())
        again = pd.DataFrame(
            {"question_id": qids[more], "position": np.flatnonzero(more)}
        )
        again = again.merge(extra, on="question_id")
        pos = again["position"].to_numpy()
        parts.append(
            (row[pos], again["ind"].to_numpy(), earned_all[pos], points_all[pos])
        )
    size = len(people) * len(codes)
    possible = np.zeros(size)
    earned = np.zeros(size)
    answered = np.zeros(size, dtype=np.int64)
    for r, ind, e, p in parts:
        ok = (r >= 0) & (ind >= 0)
        key = r[ok] * len(codes) + ind[ok]
        possible += np.bincount(key, weights=p[ok], minlength=size)
        earned += np.bincount(key, weights=e[ok], minlength=size)
        answered += np.bincount(key, minlength=size)
    seen = np.flatnonzero(answered)
    rows, inds = np.divmod(seen, len(codes))
    return pd.DataFrame(
        {
            "user_id": people["user_id"].to_numpy()[rows],
            "unit_code": pd.Categorical.from_codes(
                units.codes[rows], categories=units.categories
            ),
            "indicator_code": pd.Categorical.from_codes(inds, categories=codes),
            "earned": earned[seen],
            "possible": possible[seen],
        }
    )[columns]


def mastery(scores: pd.DataFrame, *, min_group: int = 5) -> pd.DataFrame:
    """Each unit's share of points on an indicator's questions, shrunk toward the mean.

    In: the output of :func:`person_scores`.
    Out: ``unit_code, indicator_code, people, raw_mastery, mastery``.

    Empirical Bayes (beta-binomial): for each indicator the unit shares p_i = s_i/n_i
    (points earned over points possible) get a Beta(κm, κ(1−m)) prior whose mean m is
    the province-wide share and whose strength κ comes from the method of moments:
    τ² = max(var(p_i) − m(1−m)·mean(1/n_i), ε) and κ = m(1−m)/τ² − 1 (clipped to
    [1, 10⁶]). The reported figure is the posterior mean (s_i + κm) / (n_i + κ), so a
    small unit is pulled toward the province and cannot top or bottom the list by
    chance. ``mastery`` is null for units where fewer than ``min_group`` people
    answered.
    """
    return mastery_from_sums(unit_score_sums(scores), min_group=min_group)


def unit_score_sums(scores: pd.DataFrame) -> pd.DataFrame:
    """:func:`person_scores` summed per unit and indicator (UNIT_SCORE_COLUMNS)."""
    if scores.empty:
        return empty(UNIT_SCORE_COLUMNS)
    return (
        scores.groupby(["unit_code", "indicator_code"], observed=True)
        .agg(
            people=("user_id", "count"),  # one row per person and indicator
            earned=("earned", "sum"),
            possible=("possible", "sum"),
        )
        .reset_index()
    )


def mastery_from_sums(sums: pd.DataFrame, *, min_group: int = 5) -> pd.DataFrame:
    """:func:`mastery` from UNIT_SCORE_COLUMNS (see there for the method)."""
    columns = ["unit_code", "indicator_code", "people", "raw_mastery", "mastery"]
    if sums.empty:
        return pd.DataFrame(columns=columns)
    units = sums[sums["possible"] > 0].copy()
    if units.empty:
        return pd.DataFrame(columns=columns)
    units["raw_mastery"] = units["earned"] / units["possible"]
    totals = units.groupby("indicator_code").agg(
        s=("earned", "sum"),
        n=("possible", "sum"),
        var_p=("raw_mastery", lambda p: p.var(ddof=0)),
        inv_n=("possible", lambda n: (1.0 / n).mean()),
    )
    m = (totals["s"] / totals["n"]).clip(1e-6, 1 - 1e-6)
    tau2 = (totals["var_p"] - m * (1 - m) * totals["inv_n"]).clip(lower=1e-6)
    kappa = (m * (1 - m) / tau2 - 1).clip(1, 1e6)
    units = units.join(m.rename("m"), on="indicator_code").join(
        kappa.rename("kappa"), on="indicator_code"
    )
    units["mastery"] = (units["earned"] + units["kappa"] * units["m"]) / (
        units["possible"] + units["kappa"]
    )
    units.loc[units["people"] < min_group, "mastery"] = np.nan
    out = units[columns].reset_index(drop=True)
    return out.astype({"unit_code": "string", "indicator_code": "string"})


# Association -----------------------------------------------------------------------


def _resample_ranks(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Average ranks of each unit within each resample, without sorting per resample.

    ``counts`` (resamples × n units) says how many times each unit was drawn. A
    resample keeps the order of the original values, so a unit's rank in it is the
    number of drawn copies of smaller values plus the mean position of its own tie
    group's copies: exactly what ranking the resample would give, computed with sums
    along each resample's row (contiguous in memory).
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.r_[0, np.flatnonzero(np.diff(ordered)) + 1]
    ties = len(starts) < len(values)
    # One running sum serves both: at the end of each tie group it is the number of
    # drawn copies up to that group, and its steps are the group's own copies.
    group_rank = np.cumsum(counts[:, order], axis=1)
    if ties:
        group_rank = group_rank[:, np.r_[starts[1:], len(values)] - 1]
    group_counts = np.diff(group_rank, axis=1, prepend=0)
    group_rank -= (group_counts - 1) / 2
    ranks = np.empty(counts.shape, dtype=float)
    if ties:
        sizes = np.diff(np.r_[starts, len(values)])
        ranks[:, order] = np.repeat(group_rank, sizes, axis=1)
    else:
        ranks[:, order] = group_rank
    return ranks


def _bootstrap_ci(
    x: np.ndarray, y: np.ndarray, *, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Percentile 95% interval of Spearman's rho over units resampled with replacement.

    Each resample's rho is the Pearson correlation of the resample's (average) ranks,
    weighted by how often each unit was drawn.
    """
    n = len(x)
    draws = rng.integers(0, n, size=(resamples, n))
    draws += (np.arange(resamples) * n)[:, None]
    counts = np.bincount(draws.ravel(), minlength=resamples * n)
    counts = counts.reshape(resamples, n).astype(float)
    rx = _resample_ranks(x, counts)
    ry = _resample_ranks(y, counts)
    # The mean rank of any resample of n units is (n + 1) / 2.
    rx -= (n + 1) / 2
    ry -= (n + 1) / 2
    sxy = np.einsum("ij,ij,ij->i", counts, rx, ry)
    sxx = np.einsum("ij,ij,ij->i", counts, rx, rx)
    syy = np.einsum("ij,ij,ij->i", counts, ry, ry)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = sxy / np.sqrt(sxx * syy)
    rho = rho[np.isfinite(rho)]
    if len(rho) < 10:
        return (np.nan, np.nan)
    low, high = np.percentile(rho, [2.5, 97.5])
    return (float(low), float(high))


def correlations(
    cells: pd.DataFrame,
    *,
    metrics: tuple[str, ...] = ("mastery", "completion_rate"),
    resamples: int = 1000,
    seed: int = 20241001,
    min_units: int = 3,
    max_bootstrap_cells: int = 1_000_000,
) -> pd.DataFrame:
    """Spearman's rho between each metric and standing across units, per indicator.

    In: ``unit_code, indicator_code, standing`` and the metric columns (one period).
    Out: ``indicator_code, metric, rho, p_value, n_units, ci_low, ci_high``. Positive
    rho: more of the metric goes with better standing. It is an association, not a
    cause. The interval is a seeded percentile bootstrap over units; the number of
    resamples is capped so that resamples × units ≤ ``max_bootstrap_cells`` (at least
    200), which keeps national-scale runs bounded.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for indicator_code, group in cells.groupby("indicator_code", sort=True):
        for metric in metrics:
            pair = group[["standing", metric]].dropna()
            n = len(pair)
            row = {
                "indicator_code": indicator_code,
                "metric": metric,
                "rho": None,
                "p_value": None,
                "n_units": n,
                "ci_low": None,
                "ci_high": None,
            }
            x = pair[metric].to_numpy(dtype=float)
            y = pair["standing"].to_numpy(dtype=float)
            if n >= min_units and np.ptp(x) > 0 and np.ptp(y) > 0:
                result = stats.spearmanr(x, y)
                row["rho"] = float(result.statistic)
                row["p_value"] = float(result.pvalue)
                b = max(200, min(resamples, max_bootstrap_cells // max(n, 1)))
                low, high = _bootstrap_ci(x, y, resamples=b, rng=rng)
                row["ci_low"] = None if np.isnan(low) else low
                row["ci_high"] = None if np.isnan(high) else high
            rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "indicator_code",
            "metric",
            "rho",
            "p_value",
            "n_units",
            "ci_low",
            "ci_high",
        ],
    )


# Gaps ------------------------------------------------------------------------------

PRIORITY_FORMULA = (
    "priority = 100 × weakness × need. weakness = ((1 − standing) + severity) / 2, "
    "where severity = min(1, max(0, −gap / (2 × band))) is how far the unit is worse "
    "than the average of its level, in bands (1 at two bands or more). need is the "
    "mean of the available terms (1 − mastery position) and (1 − completion rate); "
    "mastery position is the unit's percentile of shrunk mastery among units with a "
    "mastery figure for that indicator (0 lowest, 1 highest)."
)


def gap_cells(
    standings: pd.DataFrame, rates: pd.DataFrame, masteries: pd.DataFrame
) -> pd.DataFrame:
    """Join standing, completion and mastery and rank the (unit, indicator) gaps.

    In: :func:`standing` for one period, :func:`completion_rates`, :func:`mastery`.
    Out: one row per (unit, indicator) with a value: the standing columns plus
    ``completion_rate``, ``headcount``, ``mastery``, ``raw_mastery``, ``people``,
    ``mastery_position``, ``need``, ``severity`` and ``priority`` (0–100, see
    PRIORITY_FORMULA), sorted by priority (highest first), then the gap (worst
    first), unit and indicator code.

    A poor standing alone does not make a high priority: the gap must also go with
    low mastery or low completion, which is what training can address.
    """
    df = standings.merge(
        rates[["unit_code", "indicator_code", "headcount", "completion_rate"]],
        on=["unit_code", "indicator_code"],
        how="left",
    ).merge(
        masteries[["unit_code", "indicator_code", "people", "raw_mastery", "mastery"]],
        on=["unit_code", "indicator_code"],
        how="left",
    )
    df["mastery"] = df["mastery"].astype("float64")
    df["raw_mastery"] = df["raw_mastery"].astype("float64")
    df["people"] = df["people"].fillna(0).astype("int64")
    df["mastery_position"] = df.groupby("indicator_code")["mastery"].rank(pct=True)
    counts = df.groupby("indicator_code")["mastery"].transform("count")
    # A percentile of one unit says nothing; rank(pct) gives the lowest 1/n, rescale to 0–1.
    df["mastery_position"] = np.where(
        counts > 1,
        (df["mastery_position"] * counts - 1) / (counts - 1).clip(lower=1),
        np.nan,
    )
    terms = pd.concat(
        [1 - df["mastery_position"], 1 - df["completion_rate"].astype("float64")],
        axis=1,
    )
    # Without either figure nothing suggests training would help: need is left at 0.5.
    df["need"] = terms.mean(axis=1, skipna=True).fillna(0.5)
    df["severity"] = (-df["gap"] / (2 * df["band"])).clip(0, 1)
    weakness = ((1 - df["standing"]) + df["severity"]) / 2
    df["priority"] = (100 * weakness * df["need"]).round(2)
    return df.sort_values(
        ["priority", "gap", "unit_code", "indicator_code"],
        ascending=[False, True, True, True],
    ).reset_index(drop=True)


def recommended_courses(
    gaps: pd.DataFrame,
    staff: pd.DataFrame,
    completions: pd.DataFrame,
    course_indicators: pd.DataFrame,
) -> pd.DataFrame:
    """Courses that target each gap's indicator and that not all of the unit completed.

    In: gap rows (``unit_code, indicator_code``), STAFF_COLUMNS, COMPLETION_COLUMNS,
    COURSE_INDICATOR_COLUMNS.
    Out: ``unit_code, indicator_code, course_code, unit_share`` (share of the unit's
    staff who completed it), least completed first.
    """
    pairs = gaps[["unit_code", "indicator_code"]].drop_duplicates()
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
    df = df[df["unit_share"] < 1]
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
    scores: pd.DataFrame | None,
    *,
    low_score: float = 0.6,
    low: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """People of a gap's unit who have not completed any course targeting the indicator,
    or whose share of points on its questions is below ``low_score``.

    When no course targets an indicator, only low scores count (nobody could have
    completed anything). In: gap rows, STAFF_COLUMNS, COMPLETION_COLUMNS,
    COURSE_INDICATOR_COLUMNS, :func:`person_scores` — or, instead of the scores,
    ``low``: the (``user_id, indicator_code``) pairs already found below
    ``low_score``.
    Out: ``unit_code, indicator_code, staff_nos`` — one row per gap, the list sorted by
    staff number (a list, never a ranking of people).

    Works on a people × indicators boolean matrix, so national rosters stay fast.
    """
    pairs = gaps[["unit_code", "indicator_code"]].drop_duplicates()
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
    if low is None:
        low = scores[scores["possible"] > 0]
        low = low[low["earned"] / low["possible"] < low_score]
    low = low[low["user_id"].isin(row_of.index) & low["indicator_code"].isin(codes)]
    flagged[
        row_of.loc[low["user_id"]].to_numpy(), codes.get_indexer(low["indicator_code"])
    ] = True
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
    for unit, col in zip(pairs["unit_code"].to_numpy(), column, strict=True):
        span = bounds.get(unit)
        if span is None:
            lists.append([])
            continue
        a, b = span
        lists.append(staff_nos[a:b][flagged[a:b, col]].tolist())
    return pd.DataFrame(
        {
            "unit_code": pairs["unit_code"].to_numpy(),
            "indicator_code": pairs["indicator_code"].to_numpy(),
            "staff_nos": lists,
        }
    )


# Effect over time ------------------------------------------------------------------


def difference_in_differences(
    standings: pd.DataFrame, exposure: pd.DataFrame, *, min_units: int = 2
) -> pd.DataFrame:
    """Change in direction-adjusted standing gap, units with a campaign vs without.

    In: :func:`standing` over all periods (needs ``period_order``), EXPOSURE_COLUMNS.
    Out: ``indicator_code, cut_period, treated, control, did, ci_low, ci_high``.

    Per indicator the cut is the first period that began after the most common
    campaign start among the treated units. For every unit the change is the mean of
    ``gap`` in periods from the cut on minus the mean before it (positive: improved
    against the average). did = mean change of treated − mean change of controls
    (units never reached by such a campaign), with a Welch 95% interval. It needs at
    least two periods (one on each side) and ``min_units`` units in each group; it is
    an association over time, not proof of an effect.
    """
    columns = ["indicator_code", "cut_period", "treated", "control", "did"]
    columns += ["ci_low", "ci_high"]
    if standings.empty or exposure.empty:
        return pd.DataFrame(columns=columns)
    orders = standings[["period", "period_order"]].drop_duplicates()
    # The cut of every indicator, then each unit's mean gap before and after it, in
    # one grouped pass over the whole history (not one pass per indicator).
    exposure = exposure.astype({"indicator_code": object, "unit_code": object})
    cuts = exposure.groupby("indicator_code")["first_period_order"].agg(
        lambda s: int(s.mode().min())
    )
    df = standings[["indicator_code", "unit_code", "period_order", "gap"]].astype(
        {"indicator_code": object, "unit_code": object}
    )
    df = df[df["indicator_code"].isin(cuts.index)]
    df = df.assign(
        after=df["period_order"].to_numpy()
        >= cuts.reindex(df["indicator_code"]).to_numpy()
    )
    sides = df.groupby(["indicator_code", "after"]).size()
    means = df.groupby(["indicator_code", "unit_code", "after"])["gap"].mean().unstack()
    if True not in means or False not in means:
        return pd.DataFrame(columns=columns)
    changes = (means[True] - means[False]).dropna()
    rows = []
    for indicator_code in sorted(cuts.index):
        if (indicator_code, True) not in sides or (indicator_code, False) not in sides:
            continue  # every period on one side of the cut
        treated_units = exposure[exposure["indicator_code"] == indicator_code]
        cut = int(cuts[indicator_code])
        change = (
            changes.xs(indicator_code, level="indicator_code")
            if indicator_code in changes.index.get_level_values(0)
            else pd.Series(dtype=float)
        )
        is_treated = change.index.isin(
            treated_units.loc[treated_units["first_period_order"] == cut, "unit_code"]
        )
        ever_treated = change.index.isin(treated_units["unit_code"])
        t = change[is_treated].to_numpy()
        c = change[~ever_treated].to_numpy()
        if len(t) < min_units or len(c) < min_units:
            continue
        did = t.mean() - c.mean()
        vt, vc = t.var(ddof=1) / len(t), c.var(ddof=1) / len(c)
        se = np.sqrt(vt + vc)
        if se > 0:
            df_welch = (vt + vc) ** 2 / (vt**2 / (len(t) - 1) + vc**2 / (len(c) - 1))
            half = stats.t.ppf(0.975, df_welch) * se
        else:
            half = 0.0
        cut_period = orders.loc[orders["period_order"] >= cut, :].sort_values(
            "period_order"
        )["period"]
        rows.append(
            {
                "indicator_code": indicator_code,
                "cut_period": cut_period.iloc[0] if len(cut_period) else None,
                "treated": len(t),
                "control": len(c),
                "did": float(did),
                "ci_low": float(did - half),
                "ci_high": float(did + half),
            }
        )
    return pd.DataFrame(rows, columns=columns)


# The whole analysis ----------------------------------------------------------------


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
    low_scores: pd.DataFrame | None = None,
    exposure: pd.DataFrame | None = None,
    rule: TierRule = TierRule(),
    min_group: int = 5,
    resamples: int = 1000,
    seed: int = 20241001,
) -> GapAnalysis:
    """Run every step for one period; ``values`` may hold other periods for trends.

    In: the frames of the declared input columns; the answers either one per row
    (``responses`` with ``question_indicators``) or, as the database hands them over
    at scale, summed per unit (``unit_scores``, UNIT_SCORE_COLUMNS) with the people
    below the low-score mark (``low_scores``: ``user_id, indicator_code``).
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
    current = current.drop(columns=["change", "improved"])
    rates = completion_rates(staff, completions, course_indicators)
    if unit_scores is not None:
        scores = None
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
    cells = gap_cells(current, rates, masteries)
    corr = correlations(cells, resamples=resamples, seed=seed)
    courses = recommended_courses(cells, staff, completions, course_indicators)
    remediation = staff_to_remediate(
        cells, staff, completions, course_indicators, scores, low=low_scores
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


CELL_FIELDS = [
    "unit_code",
    "level",
    "indicator_code",
    "value",
    "province_avg",
    "gap",
    "standing",
    "tier",
    "mastery",
    "people",
    "completion_rate",
    "headcount",
    "priority",
]


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
