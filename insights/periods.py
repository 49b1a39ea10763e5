"""Reporting periods of indicator values: a year, a half, a quarter or a month.

Both the models (cleaning a value edited in the admin) and the selectors read them,
so they live apart from both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PERIOD_RE = re.compile(
    r"^(?P<year>\d{4})(?:(?P<half>[Hh][12])|(?P<quarter>[Qq][1-4])|-(?P<month>\d{1,2}))?$"
)


@dataclass(frozen=True)
class Period:
    text: str
    kind: str
    start: dt.date
    end: dt.date

    @property
    def order(self) -> int:
        return self.start.toordinal()


def period_parse(text: str) -> Period:
    """``2025``, ``2025H1``, ``2025Q3`` or ``2025-07`` → a Period; ValueError otherwise."""
    match = PERIOD_RE.match(text.strip())
    if not match:
        raise ValueError(text)
    year = int(match["year"])
    if not 1990 <= year <= 2100:
        raise ValueError(text)
    if match["half"]:
        half = int(match["half"][1])
        start, months = dt.date(year, 1 + 6 * (half - 1), 1), 6
        kind, label = "half", f"{year}H{half}"
    elif match["quarter"]:
        quarter = int(match["quarter"][1])
        start, months = dt.date(year, 1 + 3 * (quarter - 1), 1), 3
        kind, label = "quarter", f"{year}Q{quarter}"
    elif match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(text)
        start, months = dt.date(year, month, 1), 1
        kind, label = "month", f"{year}-{month:02d}"
    else:
        start, months = dt.date(year, 1, 1), 12
        kind, label = "year", str(year)
    end_month = start.month + months
    end_year = year + (end_month - 1) // 12
    end = dt.date(end_year, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(text=label, kind=kind, start=start, end=end)
