"""The organisation importers make as many queries for 200 rows as for 10."""

import pytest

from organisation.importers import staff_import, units_import
from organisation.importing import run_import
from organisation.indicator_import import indicators_import
from organisation.models import Indicator, StaffProfile, Unit

from .helpers import queries_of, table_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def whole_batches(db):
    """Let SQLite take a batch in one statement, as PostgreSQL does.

    Django splits SQLite statements at 999 parameters, the compile-time limit of old
    SQLite builds; the SQLite linked here accepts far more. The budget these tests
    guard is the importers' own statements, not that split.
    """
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    previous = features.max_query_params
    features.max_query_params = limit
    yield
    features.max_query_params = previous


def units_table(count: int, prefix: str):
    """A root, grassroots units and their departments, children before parents."""
    rows = [[prefix, f"{prefix}省院", "", "province"]]
    for n in range(1, count):
        if n % 2:
            rows.append([f"{prefix}-{n}", f"{prefix}院{n}", prefix, "grassroots"])
        else:
            parent = f"{prefix}-{n - 1}"
            rows.append([f"{prefix}-{n}", f"部门{n}", parent, "department"])
    return table_of(["code", "name", "parent_code", "level"], reversed(rows))


def test_unit_import_queries_do_not_grow_with_rows(
    reference_data, django_assert_max_num_queries
):
    small = queries_of(units_import, units_table(10, "S"))
    with django_assert_max_num_queries(small):
        run_import(units_import, table=units_table(200, "L"))
    assert Unit.objects.get(code="L-198").path == "L/L-197/L-198/"
    assert Unit.objects.filter(path__startswith="L/").count() == 200


def test_moving_units_costs_the_same_for_10_or_200(
    reference_data, django_assert_max_num_queries
):
    run_import(units_import, table=units_table(10, "S"))
    run_import(units_import, table=units_table(200, "L"))

    def moved(count, prefix):
        return table_of(
            ["单位代码", "单位名称", "上级单位代码", "层级"],
            [[f"{prefix}-{n}", f"新{n}", "", "city"] for n in range(1, count, 2)],
        )

    small = queries_of(units_import, moved(10, "S"))
    with django_assert_max_num_queries(small):
        summary = run_import(units_import, table=moved(200, "L"))
    assert summary.updated == 100
    assert Unit.objects.get(code="L-2").path == "L-1/L-2/"


def staff_table(count: int, prefix: str, unit: str = "G1", leader: str = "0"):
    return table_of(
        ["staff_no", "name", "unit_code", "business_lines", "is_leader", "hired_on"],
        [
            [f"{prefix}{n:04d}", f"人员{n}", unit, "civil;ordinary_crime", leader, ""]
            for n in range(count)
        ],
    )


def test_staff_import_queries_do_not_grow_with_rows(
    tree, django_assert_max_num_queries
):
    small = queries_of(staff_import, staff_table(10, "S"))
    with django_assert_max_num_queries(small):
        run_import(staff_import, table=staff_table(200, "L"))
    assert StaffProfile.objects.filter(staff_no__startswith="L").count() == 200


def test_changing_people_costs_the_same_for_10_or_200(
    tree, django_assert_max_num_queries
):
    run_import(staff_import, table=staff_table(10, "S"))
    run_import(staff_import, table=staff_table(200, "L"))

    small = queries_of(staff_import, staff_table(10, "S", unit="G2", leader="1"))
    with django_assert_max_num_queries(small):
        summary = run_import(
            staff_import, table=staff_table(200, "L", unit="G2", leader="1")
        )
    assert summary.updated == 200
    assert StaffProfile.objects.filter(unit__code="G2", is_leader=True).count() == 210


def indicators_table(count: int, prefix: str, target: str = "0.5"):
    headers = ["code", "name_zh", "name_en", "business_line", "direction"]
    return table_of(
        [*headers, "target_low", "target_high"],
        [
            [f"{prefix}-{n}", f"指标{n}", f"Ind {n}", "civil", "越高越好", target, ""]
            for n in range(count)
        ],
    )


def test_indicator_import_queries_do_not_grow_with_rows(
    reference_data, django_assert_max_num_queries
):
    small = queries_of(indicators_import, indicators_table(10, "S"))
    with django_assert_max_num_queries(small):
        run_import(indicators_import, table=indicators_table(200, "L"))
    small = queries_of(indicators_import, indicators_table(10, "S", "0.6"))
    with django_assert_max_num_queries(small):
        summary = run_import(indicators_import, table=indicators_table(200, "L", "0.6"))
    assert summary.updated == 200
    assert (
        Indicator.objects.filter(code__startswith="L-", target_low=0.6).count() == 200
    )
