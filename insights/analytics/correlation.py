"""Association across units: Spearman's rho between a training metric and standing,
with a seeded bootstrap interval. An association, never a cause."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


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
