"""Reading numbers and dates from query strings within ranges the code can handle.

``int("99999999999")`` and ``date.fromisoformat("9999-12-31")`` both succeed, and the
trouble comes later: an integer column overflows in the database driver, a date plus
a day overflows in Python, ``year=0`` is no year at all. Each of those was a 500. A
value outside the range is treated like a malformed one: the page falls back to its
default, as it already did for text that is not a number or a date.
"""

from __future__ import annotations

import datetime as dt

# Training records start long after 2000; 2100 leaves room for any due date.
MIN_YEAR = 2000
MAX_YEAR = 2100
MIN_DATE = dt.date(MIN_YEAR, 1, 1)
MAX_DATE = dt.date(MAX_YEAR, 12, 31)
# The largest value an integer column holds on every supported database.
MAX_INT = 2**31 - 1


def int_param(value, *, default: int, low: int = 0, high: int = MAX_INT) -> int:
    """``value`` as an int within ``low``…``high``, else ``default``."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def year_param(value, *, default: int) -> int:
    """A calendar year between ``MIN_YEAR`` and ``MAX_YEAR``, else ``default``."""
    return int_param(value, default=default, low=MIN_YEAR, high=MAX_YEAR)


def date_param(value, *, default: dt.date) -> dt.date:
    """An ISO date (``YYYY-MM-DD``) between ``MIN_DATE`` and ``MAX_DATE``, else
    ``default``."""
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return default
    return day if MIN_DATE <= day <= MAX_DATE else default
