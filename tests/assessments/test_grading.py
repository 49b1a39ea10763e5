from decimal import Decimal

from assessments.grading import fraction_for, parse_number


def _choice(kind, fractions, grading="all_or_nothing"):
    return {
        "type": kind,
        "multiple_grading": grading,
        "options": [
            {"key": f"k{i}", "fraction": str(f)} for i, f in enumerate(fractions)
        ],
    }


def test_multiple_all_or_nothing_needs_exactly_the_right_set():
    data = _choice("multiple", [1, 1, 0])
    assert fraction_for(data, {"keys": ["k0", "k1"]}) == 1
    assert fraction_for(data, {"keys": ["k0"]}) == 0
    assert fraction_for(data, {"keys": ["k0", "k1", "k2"]}) == 0


def test_multiple_partial_credit_deducts_wrong_picks_but_not_below_zero():
    data = _choice("multiple", ["0.5", "0.5", "-0.5"], "partial")
    assert fraction_for(data, {"keys": ["k0"]}) == Decimal("0.5")
    assert fraction_for(data, {"keys": ["k0", "k2"]}) == 0
    assert fraction_for(data, {"keys": ["k2"]}) == 0
    assert fraction_for(data, {"keys": ["k0", "k1"]}) == 1


def test_numeric_tolerance_and_ratio_notation():
    data = {"type": "numeric", "numeric_answer": "1.3125", "tolerance": "0.01"}
    assert fraction_for(data, {"text": "1.31"}) == 1
    assert fraction_for(data, {"text": "1:1.31"}) == 1
    assert fraction_for(data, {"text": "１．３２"}) == 1
    assert fraction_for(data, {"text": "1.33"}) == 0
    assert parse_number("abc") is None


def test_short_answers_ignore_width_case_and_spaces():
    data = {"type": "short", "accepted": ["1:1"]}
    assert fraction_for(data, {"text": " 1：1 "}) == 1
    assert fraction_for(data, {"text": "1:2"}) == 0


def test_essay_is_for_a_person_to_mark():
    assert fraction_for({"type": "essay"}, {"text": "x"}) is None
