"""import_results: external exam results in batches, Chinese headers, clear errors."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from assessments.models import ExternalResult
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(reference_data):
    from assessments.services.questions import category_ensure, question_upsert

    category = category_ensure(path="外部考试")
    question_upsert(
        code="Q1",
        fields={"category": category, "type": "essay", "text": "论述题"},
        options=[],
    )
    return "Q1"


def run(path, *extra):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_results", str(path), "--json", *extra, stdout=out, stderr=err
        )
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue()), err.getvalue()


def test_results_import_with_chinese_headers_in_few_queries(
    tree, question, tmp_path, django_assert_max_num_queries
):
    people = [StaffFactory(unit=tree["G1"], staff_no=f"R{i:03}") for i in range(300)]
    path = tmp_path / "results.csv"
    path.write_text(
        "工号,试题代码,得分率,作答日期\n"
        + "".join(f"R{i:03},Q1,0.5,2026-03-0{1 + i % 9}\n" for i in range(300)),
        encoding="gb18030",
    )
    with django_assert_max_num_queries(15):
        code, summary, _err = run(path)
    assert code == 0 and summary["created"] == 300
    assert ExternalResult.objects.filter(user=people[7].user).get().score == Decimal(
        "0.5"
    )
    path.write_text(
        "staff_no,question_code,score,answered_on\nR007,Q1,0.75,2026-03-08\n",
        encoding="utf-8",
    )
    code, summary, _err = run(path)
    assert (summary["created"], summary["updated"]) == (0, 1)
    assert summary["changes"][0]["fields"] == {"score": ["0.50000", "0.75"]}


def test_bad_results_name_row_and_column_and_write_nothing(tree, question, tmp_path):
    StaffFactory(unit=tree["G1"], staff_no="R1")
    path = tmp_path / "results.csv"
    path.write_text(
        "staff_no,question_code,score,answered_on\n"
        "R1,Q1,1.5,2026-03-01\n"
        "R9,Q1,0.5,2026-02-30\n"
        "R1,Q1,0.5,2026-03-02\n"
        "R1,Q1,0.6,2026-03-02\n",
        encoding="utf-8",
    )
    code, summary, _err = run(path)
    assert code == 1 and not ExternalResult.objects.exists()
    assert {(e["row"], e["column"]) for e in summary["errors"]} == {
        (2, "score"),
        (3, "staff_no"),
        (3, "answered_on"),
        (5, "answered_on"),
    }
