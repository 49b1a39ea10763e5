"""Change over time: difference in differences around campaigns (an association over
time, not proof of an effect)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


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
