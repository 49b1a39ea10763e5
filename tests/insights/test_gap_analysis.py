"""gap_analysis on planted data: the planted gaps come first, correlations keep their sign."""

import json

import pytest
from django.core.management import CommandError, call_command

from tests.insights.helpers import APPEAL, RATIO, WEAK

pytestmark = pytest.mark.django_db


def run(tmp_path, period="2026Q3") -> dict:
    out = tmp_path / "gaps.json"
    call_command(
        "gap_analysis", "--period", period, "--format", "json", "--output", str(out)
    )
    return json.loads(out.read_text(encoding="utf-8"))


def test_it_ranks_the_planted_gaps_at_the_top(planted, tmp_path):
    report = run(tmp_path)
    assert report["period"] == "2026Q3"
    top = [(g["unit_code"], g["indicator_code"]) for g in report["gaps"][:2]]
    assert top == [(code, RATIO) for code in WEAK]
    first = report["gaps"][0]
    assert first["tier"] == "lower"
    assert first["standing"] == 0.0
    assert set(first) >= {
        "unit_code",
        "indicator_code",
        "tier",
        "standing",
        "mastery",
        "completion_rate",
        "priority",
        "recommended_courses",
        "staff_to_remediate",
    }


def test_priorities_are_in_descending_order_and_cover_every_value(planted, tmp_path):
    report = run(tmp_path)
    gaps = report["gaps"]
    shown = [g for g in gaps if g["remedy"] != "none" and g["mastery"] is not None]
    unknown = [g for g in gaps if g["remedy"] != "none" and g["mastery"] is None]
    # Needs shown by mastery first, then needs without a mastery figure, then the
    # rest; each group highest priority first.
    assert gaps[: len(shown) + len(unknown)] == shown + unknown
    for group in (shown, unknown):
        priorities = [g["priority"] for g in group]
        assert priorities == sorted(priorities, reverse=True)
    # 9 grassroots units × 2 indicators + the city's one value.
    assert len(report["gaps"]) == 19


def test_correlations_carry_the_planted_sign(planted, tmp_path):
    report = run(tmp_path)
    rho = {(c["indicator_code"], c["metric"]): c for c in report["correlations"]}
    assert rho[(RATIO, "mastery")]["rho"] > 0.8
    assert rho[(RATIO, "completion_rate")]["rho"] > 0.8
    assert rho[(APPEAL, "mastery")]["rho"] < -0.8
    assert rho[(RATIO, "mastery")]["p_value"] < 0.05
    # Mastery exists for the eight units of six people, not for G09 (three).
    assert rho[(RATIO, "mastery")]["n_units"] == 8
    assert rho[(RATIO, "completion_rate")]["n_units"] == 9


def test_small_groups_get_no_mastery(planted, tmp_path):
    report = run(tmp_path)
    g09 = next(
        g
        for g in report["gaps"]
        if g["unit_code"] == "G09" and g["indicator_code"] == RATIO
    )
    assert g09["mastery"] is None
    assert g09["completion_rate"] is not None


def test_it_recommends_the_untaken_course_and_lists_people_to_train(planted, tmp_path):
    report = run(tmp_path)
    first = report["gaps"][0]
    assert first["remedy"] == "assign_course"
    assert first["recommended_courses"] == ["IND-102"]
    # The five of G08's six who have not completed the course: chosen by training
    # history, not by score.
    expected = sorted(p.staff_no for p in planted["staff"]["G08"])[1:]
    assert first["staff_to_remediate"] == expected
    strongest = next(
        g
        for g in report["gaps"]
        if g["unit_code"] == "G03" and g["indicator_code"] == RATIO
    )
    # G03's staff know the indicator well: no need, and nobody is named.
    assert strongest["remedy"] == "none"
    assert strongest["staff_to_remediate"] == []


def test_mastery_is_shrunk_toward_the_province_mean(planted, tmp_path):
    report = run(tmp_path)
    by_unit = {
        g["unit_code"]: g["mastery"]
        for g in report["gaps"]
        if g["indicator_code"] == RATIO
    }
    assert 0.1 < by_unit["G08"] < 0.6
    assert by_unit["G01"] < 0.95
    assert by_unit["G01"] > by_unit["G04"] > by_unit["G08"]


def test_it_refuses_a_bad_or_empty_period(planted, tmp_path):
    with pytest.raises(CommandError):
        run(tmp_path, period="2026Q9")
    with pytest.raises(CommandError):
        run(tmp_path, period="2019")


def test_it_prints_json_to_stdout(planted, capsys):
    call_command("gap_analysis", "--period", "2026Q3")
    report = json.loads(capsys.readouterr().out)
    assert report["gaps"][0]["unit_code"] in WEAK


def test_a_unit_that_took_the_course_and_still_scores_low_gets_a_refresher(
    planted, tmp_path
):
    """Everything loaded, then G07 completes the course: its need stays in the top
    five, and the remedy turns to a refresher with the course flagged for review."""
    import datetime as dt

    from learning.models import CourseCompletion, CoursePage

    course = CoursePage.objects.get(code="IND-102")
    for person in planted["staff"]["G07"]:
        CourseCompletion.objects.get_or_create(
            user=person.user,
            course=course,
            defaults={"completed_on": dt.date(2026, 8, 2)},
        )
    report = run(tmp_path)
    top = {(g["unit_code"], g["indicator_code"]): g for g in report["gaps"][:5]}
    g07, g08 = top[("G07", RATIO)], top[("G08", RATIO)]
    assert g07["completion_rate"] == 1.0
    assert (g07["remedy"], g07["course_review"]) == ("refresher", True)
    assert g07["recommended_courses"] == ["IND-102"]
    # A refresher for the whole unit, so that nobody's result shows through.
    assert g07["staff_to_remediate"] == sorted(
        p.staff_no for p in planted["staff"]["G07"]
    )
    assert (g08["remedy"], g08["course_review"]) == ("assign_course", False)
