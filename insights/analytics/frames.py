"""The analysis' input frames: column names and dtypes, declared once, and the
helpers that build frames of them (no ORM, no I/O, no clock anywhere in this package).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

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
    """The stated, configurable rule for the comparison with the same-level average.

    The gap g is the unit's value minus the average of units of the same level, with
    the sign chosen so that positive is better. g > band → upper; |g| ≤ band →
    middle; g < −band → lower (the pre-2024 上游/中游/下游, kept as ``tier`` in the
    JSON for compatibility and shown only as better/close/weaker than the average). The band is ``rate_band`` (5 percentage points, 0.05)
    for rates and ``ratio_band`` (0.1) for ratios such as 案-件比. A range indicator is
    measured by its distance d to the target band instead: inside the band (d = 0) →
    upper, d ≤ band → middle, further → lower.
    """

    rate_band: float = 0.05
    ratio_band: float = 0.1


DEFAULT_TIER_RULE = TierRule()


def empty(columns: dict[str, str]) -> pd.DataFrame:
    """An empty frame with the declared columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def frame(records, columns: dict[str, str]) -> pd.DataFrame:
    """Records (dicts or tuples in column order) as a frame with the declared dtypes."""
    records = list(records)
    if not records:
        return empty(columns)
    return pd.DataFrame.from_records(records, columns=list(columns)).astype(columns)
