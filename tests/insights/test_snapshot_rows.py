"""Snapshots stored as rows: what the analysis computed, read back through the scope."""

import json

import pytest

from insights import selectors
from insights.models import GapCell
from insights.periods import period_parse
from insights.services import analysis_compute, snapshot_refresh, snapshot_store
from tests.insights.helpers import assert_unit_sums_match, reference_scores

pytestmark = pytest.mark.django_db


def test_the_rows_equal_what_the_analysis_computed(planted, leader):
    computed = analysis_compute("2026Q3")
    snapshot = snapshot_refresh("2026Q3")
    scoped = selectors.snapshot_for(leader, "2026Q3")
    assert scoped.cells == computed["cells"]
    assert (
        len(scoped.cells)
        == GapCell.objects.filter(snapshot=snapshot, in_period=True).count()
    )
    assert scoped.units == computed["units"]
    for unit_code, indicators in computed["history"].items():
        got = selectors.unit_history_for(leader, code=unit_code, snapshot=snapshot)
        assert got == indicators
    for key in ("correlations", "did", "indicators", "courses", "method", "period"):
        assert snapshot.payload[key] == computed[key]
    # The large parts live in rows only.
    assert not {"cells", "history", "units"} & set(snapshot.payload)


def test_a_stored_payload_round_trips_through_rows(planted, leader):
    computed = analysis_compute("2026Q3")
    snapshot = snapshot_store(period_text="2026Q3", payload=computed)
    scoped = selectors.snapshot_for(leader, "2026Q3")
    assert scoped.cells == computed["cells"]
    got = selectors.unit_history_for(leader, code="G01", snapshot=snapshot)
    assert got == computed["history"]["G01"]


def test_a_unit_leader_reads_only_the_rows_of_their_subtree(planted, g07_leader):
    snapshot = planted["snapshot"]
    everyone = set(
        GapCell.objects.filter(snapshot=snapshot).values_list("unit__code", flat=True)
    )
    assert len(everyone) > 1
    scoped = selectors.snapshot_for(g07_leader, snapshot.period)
    assert scoped.cells
    assert {c["unit_code"] for c in scoped.cells} == {"G07"}
    assert set(scoped.units) == {"G07"}
    assert selectors.unit_history_for(g07_leader, code="G07", snapshot=snapshot)
    # Another unit's rows stay out of reach even when asked for by code.
    assert selectors.unit_history_for(g07_leader, code="G01", snapshot=snapshot) == {}


def test_database_sums_equal_the_row_by_row_scores(planted):
    """The SQL aggregate gives the unit sums person_scores gives from every answer
    fetched one by one."""
    period = period_parse("2026Q3")
    scores = reference_scores(period.end)
    unit_sums = selectors.score_sum_records(until=period.end)
    assert_unit_sums_match(unit_sums, scores)
    # Nothing after the period's end counts.
    early = selectors.score_sum_records(until=period.start.replace(year=2020))
    assert early == []


@pytest.mark.parametrize(
    "value",
    [
        [],
        ["A0001", "B0002"],
        ["工号一", "检察官"],
        ['say "hi"', "x"],
        ["back\\slash"],
        ["tab\there", "line\nbreak", "\x00"],
        ["", ""],
        ['","'],
        [["2025Q1", 0.5, 0.25, "上游"], ["2025Q2", None, None, ""]],
        ["A1", 2],
    ],
)
def test_list_columns_are_written_as_the_json_encoder_writes_them(value):
    from insights.services import _json_text

    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert _json_text(value) == expected
    assert json.loads(_json_text(value)) == value
