"""import_indicator_values: formats, ratios, upsert, and refusal of bad files."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from insights.models import IndicatorValue
from organisation.services import indicators_load_shipped

pytestmark = pytest.mark.django_db

HEADER = "unit_code,indicator_code,period,value,numerator,denominator\n"


@pytest.fixture
def catalogue(tree):
    indicators_load_shipped()
    return tree


def write(tmp_path, text, name="values.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(path, *args):
    """Run the command; returns (exit code, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_indicator_values", path, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_it_imports_ratios_rates_and_every_period_kind(catalogue, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "G1,case_ratio_criminal,2025Q3,1:1.31,1050,800\n"
        + "G2,case_ratio_criminal,2025,2:2.62,,\n"
        + "G1,pretrial_detention_rate,2025H1,35%,,\n"
        + "C1,pretrial_detention_rate,2025-07,0.42,,\n",
    )
    code, out, _err = run(path, "--json")
    assert code == 0
    assert json.loads(out)["created"] == 4
    v = IndicatorValue.objects.get(
        unit__code="G1", indicator__code="case_ratio_criminal"
    )
    assert v.value == Decimal("1.31") and v.kind == "quarter"
    assert str(v.period_start) == "2025-07-01" and str(v.period_end) == "2025-09-30"
    assert v.numerator == 1050 and v.denominator == 800
    assert IndicatorValue.objects.get(unit__code="G2").value == Decimal("1.31")
    half = IndicatorValue.objects.get(period="2025H1")
    assert half.value == Decimal("0.35") and str(half.period_end) == "2025-06-30"
    month = IndicatorValue.objects.get(period="2025-07")
    assert month.kind == "month" and str(month.period_end) == "2025-07-31"


def test_reimporting_changes_nothing_and_a_new_value_updates(catalogue, tmp_path):
    path = write(tmp_path, HEADER + "G1,acquittal_rate,2025,0.002,,\n")
    run(path)
    code, out, _ = run(path, "--json")
    assert json.loads(out) | {"dry_run": False} == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "dry_run": False,
        "periods": ["2025"],
        "changes": [],
    }
    path = write(tmp_path, HEADER + "G1,acquittal_rate,2025,0.003,,\n", "v2.csv")
    code, out, _ = run(path, "--json")
    assert json.loads(out)["updated"] == 1
    assert IndicatorValue.objects.get().value == Decimal("0.003")


def test_it_reads_gb18030(catalogue, tmp_path):
    path = write(
        tmp_path, HEADER + "G1,acquittal_rate,2025,0.002,,\n", encoding="gb18030"
    )
    assert run(path)[0] == 0
    assert IndicatorValue.objects.count() == 1


def test_it_reads_xlsx(catalogue, tmp_path):
    from organisation.tabular import write_xlsx

    path = tmp_path / "values.xlsx"
    write_xlsx(
        str(path),
        ["unit_code", "indicator_code", "period", "value"],
        [["G1", "case_ratio_criminal", "2025Q4", "1:1.5"]],
    )
    assert run(str(path))[0] == 0
    assert IndicatorValue.objects.get().value == Decimal("1.5")


def test_a_dry_run_writes_nothing(catalogue, tmp_path):
    path = write(tmp_path, HEADER + "G1,acquittal_rate,2025,0.002,,\n")
    code, out, _ = run(path, "--dry-run", "--json")
    assert code == 0 and json.loads(out)["created"] == 1
    assert not IndicatorValue.objects.exists()


def test_it_refuses_every_bad_row_and_writes_nothing(catalogue, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "G1,acquittal_rate,2025,0.002,,\n"  # fine, but the file is refused
        + "JY-099,acquittal_rate,2025,0.1,,\n"
        + "G1,no_such_indicator,2025,0.1,,\n"
        + "G1,acquittal_rate,2025Q5,0.1,,\n"
        + "G1,case_ratio_criminal,2025,1:abc,,\n"
        + "G1,acquittal_rate,2025,0.004,,\n"
        + "G1-D1,acquittal_rate,2025,0.1,,\n"
        + "G2,acquittal_rate,2025,,,\n"
        + "G2,plea_appeal_rate,2025,0.1,5,0\n",
    )
    code, out, err = run(path, "--json")
    assert code == 1
    errors = {(e["row"], e["column"]) for e in json.loads(out)["errors"]}
    assert errors == {
        (3, "unit_code"),
        (4, "indicator_code"),
        (5, "period"),
        (6, "value"),
        (7, "period"),  # G1 / acquittal_rate / 2025 twice
        (8, "unit_code"),
        (9, "value"),
        (10, "denominator"),
    }
    assert "JY-099" in err
    assert not IndicatorValue.objects.exists()


def test_it_refuses_a_wrong_header(catalogue, tmp_path):
    path = write(tmp_path, "unit,indicator,period,value\nG1,acquittal_rate,2025,0.1\n")
    code, out, _ = run(path, "--json")
    assert code == 1
    assert {e["column"] for e in json.loads(out)["errors"]} >= {
        "unit_code",
        "indicator_code",
    }


def test_error_messages_are_chinese_by_default(catalogue, tmp_path):
    from django.utils import translation

    path = write(tmp_path, HEADER + "JY-099,acquittal_rate,2025,0.1,,\n")
    with translation.override("zh-hans"):
        _code, _out, err = run(path)
    assert "未知单位" in err and "JY-099" in err


def test_an_import_recomputes_the_snapshot(
    catalogue, tmp_path, django_capture_on_commit_callbacks
):
    from insights.models import GapSnapshot

    path = write(
        tmp_path,
        HEADER + "G1,acquittal_rate,2025,0.002,,\nG2,acquittal_rate,2025,0.004,,\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(path)
    snapshot = GapSnapshot.objects.get(period="2025")
    assert {c.unit.code for c in snapshot.cells.filter(in_period=True)} == {"G1", "G2"}
