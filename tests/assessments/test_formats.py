import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.formats import gift
from assessments.models import Category, Question
from organisation.tabular import ImportRejected

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def _run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def test_it_imports_a_real_gift_file_with_categories_weights_ranges_and_escapes(
    reference_data,
):
    code, out, _err = _run(
        "import_questions",
        str(DATA / "moodle_sample.gift"),
        "--format",
        "gift",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["created"] == 9
    assert Category.objects.filter(path="指标解读/案-件比").exists()
    q1 = Question.objects.get(code="CR-G-01")
    assert q1.category.path == "指标解读/案-件比"
    assert q1.type == "single"
    assert [o.fraction for o in q1.options.all()] == [
        Decimal(1),
        Decimal(0),
        Decimal("-0.5"),
    ]
    assert q1.options.first().feedback == "正确"
    assert q1.explanation == "“件”多意味着非必要环节多。"
    q2 = Question.objects.get(code="CR-G-02")
    assert (q2.type, q2.numeric_answer, q2.tolerance) == (
        "numeric",
        Decimal("1.3125"),
        Decimal("0.005"),
    )
    q3 = Question.objects.get(code="CR-G-03")
    assert (q3.numeric_answer, q3.tolerance) == (Decimal("1.31"), Decimal("0.01"))
    assert q3.explanation == "取中间值"
    q4 = Question.objects.get(code="CR-G-04")
    assert q4.type == "multiple" and q4.multiple_grading == "partial"
    assert Question.objects.get(code="HIST-G-01").correct_bool is True
    assert Question.objects.get(code="HIST-G-01").category.path == "指标解读/体系沿革"
    assert Question.objects.get(code="HIST-G-02").correct_bool is False
    escaped = Question.objects.get(code="ESC-G-01")
    assert escaped.text == "转义字符：a=b、c~d、e#f、g{h}、比例 1:1。"
    assert escaped.options.first().text == "正确: 1:1"
    assert Question.objects.get(code="SHORT-G-01").accepted_answers == "1:1\n1：1"
    essay = Question.objects.get(code="ESSAY-G-01")
    assert essay.type == "essay" and essay.text == "谈谈如何减少退回补充侦查。"


def test_reimporting_the_same_gift_file_changes_nothing(reference_data):
    path = str(DATA / "moodle_sample.gift")
    _run("import_questions", path, "--format", "gift")
    code, out, _ = _run("import_questions", path, "--format", "gift", "--json")
    assert json.loads(out) == {
        "created": 0,
        "updated": 0,
        "unchanged": 9,
        "dry_run": False,
        "changes": [],
    }


def test_it_imports_aiken_into_the_given_category(reference_data):
    code, out, _ = _run(
        "import_questions",
        str(DATA / "aiken_sample.txt"),
        "--format",
        "aiken",
        "--category",
        "指标解读/沿革",
        "--json",
    )
    assert code == 0 and json.loads(out)["created"] == 2
    question = Question.objects.get(text__startswith="按最高检")
    assert question.category.path == "指标解读/沿革"
    assert [o.fraction for o in question.options.all()] == [0, 1, 0]
    assert question.code.startswith("AIKEN-")


def test_malformed_gift_is_refused_whole_with_line_numbers(reference_data):
    code, out, _err = _run(
        "import_questions", str(DATA / "malformed.gift"), "--format", "gift", "--json"
    )
    assert code == 1
    result = json.loads(out)
    rows = sorted(e["row"] for e in result["errors"])
    assert rows == [3, 5, 9, 11]
    assert Question.objects.count() == 0


def test_malformed_aiken_names_each_bad_line(reference_data):
    code, out, _ = _run(
        "import_questions",
        str(DATA / "malformed_aiken.txt"),
        "--format",
        "aiken",
        "--category",
        "测试",
        "--json",
    )
    assert code == 1
    assert [e["row"] for e in json.loads(out)["errors"]] == [4, 8, 13]
    assert Question.objects.count() == 0


def test_csv_import_reads_every_type_and_gb18030(reference_data):
    for name in ("questions.csv", "questions_gb18030.csv"):
        code, out, err = _run(
            "import_questions", str(DATA / name), "--format", "csv", "--json"
        )
        assert code == 0, err
    assert Question.objects.count() == 6
    single = Question.objects.get(code="CSV-1")
    assert single.points == 2 and [o.fraction for o in single.options.all()] == [
        0,
        1,
        0,
    ]
    assert list(single.indicators.values_list("code", flat=True)) == [
        "non_prosecution_rate"
    ]
    assert Question.objects.get(code="CSV-3").correct_bool is False
    numeric = Question.objects.get(code="CSV-4")
    assert numeric.tolerance == Decimal("0.005")
    assert list(numeric.business_lines.values_list("code", flat=True)) == [
        "ordinary_crime"
    ]


def test_malformed_csv_names_row_and_column(reference_data):
    code, out, _ = _run(
        "import_questions", str(DATA / "malformed.csv"), "--format", "csv", "--json"
    )
    assert code == 1
    errors = {(e["row"], e["column"]) for e in json.loads(out)["errors"]}
    assert errors == {
        (2, "category"),
        (3, "answer"),
        (4, "type"),
        (5, "indicators"),
        (6, "answer"),
    }
    assert Question.objects.count() == 0


def test_dry_run_writes_nothing(reference_data):
    code, out, _ = _run(
        "import_questions", str(DATA / "questions.csv"), "--dry-run", "--json"
    )
    assert code == 0 and json.loads(out)["created"] == 6
    assert Question.objects.count() == 0


@pytest.mark.parametrize("fmt", ["gift", "csv", "xlsx"])
def test_export_reimports_to_the_same_bank(reference_data, tmp_path, fmt):
    _run("import_questions", str(DATA / "moodle_sample.gift"), "--format", "gift")
    _run("import_questions", str(DATA / "questions.csv"), "--format", "csv")
    before = {q.code: _snapshot(q) for q in Question.objects.all()}
    target = tmp_path / f"bank.{fmt}"
    call_command("export_questions", "--format", fmt, "--output", str(target))
    Question.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    code, out, err = _run("import_questions", str(target), "--format", fmt, "--json")
    assert code == 0, err
    after = {q.code: _snapshot(q) for q in Question.objects.all()}
    assert after == before
    code, out, _ = _run("import_questions", str(target), "--format", fmt, "--json")
    assert json.loads(out)["unchanged"] == len(before)


def test_export_of_one_category_includes_sub_categories(reference_data, tmp_path):
    _run("import_questions", str(DATA / "moodle_sample.gift"), "--format", "gift")
    _run("import_questions", str(DATA / "questions.csv"), "--format", "csv")
    target = tmp_path / "part.gift"
    call_command(
        "export_questions",
        "--format",
        "gift",
        "--category",
        "指标解读/案-件比",
        "--output",
        str(target),
    )
    records = gift.parse(target.read_text(encoding="utf-8"))
    assert {r.category for r in records} == {"指标解读/案-件比"}
    assert len(records) == 7


def _snapshot(q):
    return (
        q.category.path,
        q.type,
        q.text,
        q.points,
        q.explanation,
        q.correct_bool,
        q.numeric_answer,
        q.tolerance,
        q.accepted_answers,
        q.multiple_grading,
        q.option_order,
        q.difficulty,
        [(o.text, o.fraction, o.feedback) for o in q.options.all()],
        sorted(q.indicators.values_list("code", flat=True)),
        sorted(q.business_lines.values_list("code", flat=True)),
    )


def test_gift_escape_round_trip():
    text = "a=b ~c #d {e} f:g \\ 换行\n第二行"
    assert gift.unescape(gift.escape(text)) == text


def test_parse_rejects_matching_questions():
    with pytest.raises(ImportRejected):
        gift.parse("::M::配对 {=a -> 1 =b -> 2}", default_category="x")


def test_csv_numbers_too_large_for_their_columns_are_refused(reference_data, tmp_path):
    header = "code,category,type,text,answer,tolerance,points\n"
    rows = [
        "OV-1,指标解读/计算,numeric,案件比？,1.31,0.01,99999999\n",
        "OV-2,指标解读/计算,numeric,案件比？,1.31,1e20,1\n",
        "OV-3,指标解读/计算,numeric,案件比？,1.31,0.01,-1\n",
        "OV-4,指标解读/计算,numeric,案件比？,1.31,0.01,2.5\n",
    ]
    source = tmp_path / "overflow.csv"
    source.write_text(header + "".join(rows), encoding="utf-8")
    code, out, _ = _run("import_questions", str(source), "--format", "csv", "--json")
    assert code == 1
    errors = {(e["row"], e["column"]) for e in json.loads(out)["errors"]}
    assert errors == {(2, "points"), (3, "tolerance"), (4, "points")}
    assert Question.objects.count() == 0
