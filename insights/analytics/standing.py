"""Standing: a unit's indicator value against the average of units of the same level
(direction-aware, in bands) and its change since the previous period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import DEFAULT_TIER_RULE, TierRule

# What :func:`trends` returns, empty or not.
CHANGE_COLUMNS = [
    "unit_code",
    "indicator_code",
    "period",
    "previous_period",
    "change",
    "improved",
]


def standing(
    values: pd.DataFrame, indicators: pd.DataFrame, rule: TierRule = DEFAULT_TIER_RULE
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
        return pd.DataFrame(columns=CHANGE_COLUMNS)
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
    return df[CHANGE_COLUMNS].reset_index(drop=True)
