"""The indicator value importer makes as many queries for 200 rows as for 10."""

import pytest

from insights.models import IndicatorValue
from insights.services import indicator_values_import
from organisation.importing import run_import
from organisation.models import Indicator
from organisation.services import indicators_load_shipped
from tests.organisation.helpers import queries_of, table_of
from tests.organisation.test_import_queries import whole_batches  # noqa: F401

pytestmark = pytest.mark.django_db


def values(count: int, first_year: int, value: str = "0.35"):
    codes = list(Indicator.objects.order_by("code").values_list("code", flat=True)[:5])
    combos = [
        (unit, code, f"{first_year + n // 15}-{n % 12 + 1:02d}")
        for n, (unit, code) in enumerate(
            (u, c) for _ in range(count) for u in ("G1", "G2", "G3") for c in codes
        )
    ]
    return table_of(
        ["unit_code", "indicator_code", "period", "value"],
        [[*combo, value] for combo in combos[:count]],
    )


def test_value_import_queries_do_not_grow_with_rows(
    tree, django_assert_max_num_queries
):
    indicators_load_shipped()
    small = queries_of(indicator_values_import, values(10, 2001))
    large = values(200, 2010)
    with django_assert_max_num_queries(small):
        run_import(indicator_values_import, table=large)
    assert IndicatorValue.objects.filter(period__startswith="20").count() == 210

    small = queries_of(indicator_values_import, values(10, 2001, "0.4"))
    large = values(200, 2010, "0.4")
    with django_assert_max_num_queries(small):
        summary = run_import(indicator_values_import, table=large)
    assert summary.updated == 200
