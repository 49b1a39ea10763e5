"""Capability-gap analytics: pure pandas functions, frames in, frames out.

No ORM, no I/O, no clock: ``insights.tasks`` gathers records through selectors, these
functions compute, and ``insights.services`` stores the result as a snapshot.

Everything here is an internal self-diagnosis aid. The correlations are associations,
not causes; groups below the minimum size get no mastery figure; no function ranks
individual people (the staff to remediate are listed, sorted by staff number).

The modules, one per concern: ``frames`` (input columns and dtypes, declared once),
``standing`` (against the same-level average), ``mastery`` (completion and shrunk
mastery), ``correlation`` (association across units), ``gaps`` (training needs and
remedies), ``effect`` (change after campaigns) and ``analysis`` (the whole run and
its JSON-ready rows). Callers import from this package.
"""

from ..cells import CELL_FIELDS
from .analysis import (
    GapAnalysis,
    analyse,
    capability,
    cell_rows,
    payload,
    payload_part,
)
from .correlation import correlations
from .effect import difference_in_differences
from .frames import (
    COMPLETION_COLUMNS,
    COURSE_INDICATOR_COLUMNS,
    EXPOSURE_COLUMNS,
    INDICATOR_COLUMNS,
    QUESTION_INDICATOR_COLUMNS,
    RESPONSE_COLUMNS,
    STAFF_COLUMNS,
    TIERS,
    UNIT_SCORE_COLUMNS,
    VALUE_COLUMNS,
    TierRule,
    empty,
    frame,
)
from .gaps import (
    PRIORITY_FORMULA,
    REMEDIES,
    NeedRule,
    gap_cells,
    recommended_courses,
    staff_to_remediate,
)
from .mastery import (
    completion_rates,
    mastery,
    mastery_from_sums,
    own_mastery,
    person_scores,
    unit_score_sums,
)
from .standing import standing, trends

__all__ = [
    "CELL_FIELDS",
    "COMPLETION_COLUMNS",
    "COURSE_INDICATOR_COLUMNS",
    "EXPOSURE_COLUMNS",
    "INDICATOR_COLUMNS",
    "PRIORITY_FORMULA",
    "QUESTION_INDICATOR_COLUMNS",
    "REMEDIES",
    "RESPONSE_COLUMNS",
    "STAFF_COLUMNS",
    "TIERS",
    "UNIT_SCORE_COLUMNS",
    "VALUE_COLUMNS",
    "GapAnalysis",
    "NeedRule",
    "TierRule",
    "analyse",
    "capability",
    "cell_rows",
    "completion_rates",
    "correlations",
    "difference_in_differences",
    "empty",
    "frame",
    "gap_cells",
    "mastery",
    "mastery_from_sums",
    "own_mastery",
    "payload",
    "payload_part",
    "person_scores",
    "recommended_courses",
    "staff_to_remediate",
    "standing",
    "trends",
    "unit_score_sums",
]
