"""The results importer makes as many queries for 200 rows as for 10."""

import pytest

from assessments.models import ExternalResult
from assessments.services.questions import category_ensure, question_upsert
from assessments.services.transfer import results_import
from organisation.importers import staff_import
from organisation.importing import run_import
from tests.organisation.helpers import queries_of, table_of
from tests.organisation.test_import_queries import whole_batches  # noqa: F401

pytestmark = pytest.mark.django_db


def results(count: int, score: str = "0.5"):
    return table_of(
        ["工号", "试题代码", "得分率", "作答日期"],
        [[f"P{n // 2:03d}", f"Q{n % 2}", score, "2026-03-01"] for n in range(count)],
    )


def test_result_import_queries_do_not_grow_with_rows(
    tree, django_assert_max_num_queries
):
    category = category_ensure(path="外部考试")
    for code in ("Q0", "Q1"):
        question_upsert(
            code=code,
            fields={"category": category, "type": "essay", "text": "论述"},
            options=[],
        )
    people = [[f"P{n:03d}", f"人员{n}", "G1"] for n in range(100)]
    run_import(staff_import, table=table_of(["staff_no", "name", "unit_code"], people))

    small = queries_of(results_import, results(10))
    ExternalResult.objects.all().delete()
    with django_assert_max_num_queries(small):
        run_import(results_import, table=results(200))
    small = queries_of(results_import, results(10, "0.7"))
    with django_assert_max_num_queries(small):
        summary = run_import(results_import, table=results(200, "0.9"))
    assert summary.updated == 200
    assert ExternalResult.objects.filter(score="0.9").count() == 200
