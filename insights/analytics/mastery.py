"""Training and knowledge: completion of the courses targeting an indicator and the
(shrunk) mastery of its questions, per unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import UNIT_SCORE_COLUMNS, empty


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
    Out: ``unit_code, indicator_code, people, raw_mastery, mastery, province_mastery,
    interval`` (the province-wide share m and the width of the unit's 95% posterior
    interval).

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
    columns += ["province_mastery", "interval"]
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
    # The width of the posterior's central 95% (normal approximation of the beta):
    # narrower with more people and more questions answered.
    strength = units["possible"] + units["kappa"]
    post = units["mastery"]
    units["interval"] = 2 * 1.96 * np.sqrt(post * (1 - post) / (strength + 1))
    units["province_mastery"] = units["m"]
    small = units["people"] < min_group
    units.loc[small, ["mastery", "interval"]] = np.nan
    out = units[columns].reset_index(drop=True)
    return out.astype({"unit_code": "string", "indicator_code": "string"})


def own_mastery(
    responses: pd.DataFrame, question_indicators: pd.DataFrame
) -> pd.DataFrame:
    """One person's shrunk mastery per indicator, for their own view only.

    In: RESPONSE_COLUMNS (one person's answers), QUESTION_INDICATOR_COLUMNS.
    Out: ``indicator_code, earned, possible, raw_mastery, mastery, overall`` for each
    indicator the person answered.

    The method of :func:`mastery` with the person's indicators in the units' place:
    each indicator's share is shrunk toward the person's own share over all their
    indicators, as strongly as the spread between their indicators says. Nobody
    else's answers enter, so the figure compares the person with nobody; an indicator
    answered once cannot look much weaker than the person's average by chance.
    """
    columns = ["indicator_code", "earned", "possible", "raw_mastery", "mastery"]
    columns += ["overall"]
    if responses.empty:
        return pd.DataFrame(columns=columns)
    uid = int(responses["user_id"].iloc[0])
    staff = pd.DataFrame({"user_id": [uid], "staff_no": [""], "unit_code": ["own"]})
    scores = person_scores(staff, responses, question_indicators)
    if scores.empty:
        return pd.DataFrame(columns=columns)
    sums = pd.DataFrame(
        {
            "unit_code": scores["indicator_code"].astype("string").to_numpy(),
            "indicator_code": "own",
            "people": 1,
            "earned": scores["earned"].to_numpy(),
            "possible": scores["possible"].to_numpy(),
        }
    )
    shrunk = mastery_from_sums(sums, min_group=1)
    totals = sums[["unit_code", "earned", "possible"]].astype({"unit_code": "string"})
    out = (
        shrunk.drop(columns="indicator_code")
        .merge(totals, on="unit_code")
        .rename(columns={"unit_code": "indicator_code", "province_mastery": "overall"})
    )
    return out[columns].reset_index(drop=True)
