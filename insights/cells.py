"""The fields of one (unit, indicator) result, defined once.

The analysis produces them (``insights.analytics.cell_rows``), a snapshot stores them
(``insights.models.GapCell``), the pages read them (``insights.selectors``) and the
JSON of ``gap_analysis`` reports them (``insights.services.gap_report``). This module
imports nothing, so that pages can name the fields without loading pandas.
"""

# Plain values, in this order: the unit, the indicator's standing against units of the
# same level (``standing`` and ``tier`` kept for the JSON's compatibility, never shown
# on a page or in an export), mastery, completion, and the need.
CELL_FIELDS = [
    "unit_code",
    "level",
    "indicator_code",
    "value",
    "province_avg",
    "gap",
    "standing",
    "tier",
    "band",
    "gap_bands",
    "mastery",
    "people",
    "completion_rate",
    "headcount",
    "severity",
    "shortfall",
    "evidence",
    "priority",
    "remedy",
]
# Everything of a cell except the unit, which a snapshot row holds as a foreign key.
CELL_MEASURES = CELL_FIELDS[1:]
# Lists, stored as JSON: course codes, staff numbers, and the unit's history of the
# indicator (``[period, value, standing, tier]`` oldest first).
CELL_LISTS = ["recommended_courses", "staff_to_remediate", "history"]
# The parts of the need's priority, as the JSON's ``priority_basis`` names them.
PRIORITY_BASIS = {
    "distance": "severity",
    "distance_in_bands": "gap_bands",
    "shortfall": "shortfall",
    "evidence": "evidence",
    "people_answering": "people",
}
