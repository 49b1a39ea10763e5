"""The hours report and a page of its people take a fixed number of queries,
whatever the number of people (on PostgreSQL and on SQLite alike)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hours.selectors import hours_report
from organisation.selectors import staff_in_unit, unit_subtree
from tests.factories import StaffFactory
from tests.hours.test_compliance import credit, roster  # noqa: F401

END = dt.date(2026, 12, 31)


def _queries(unit) -> int:
    with CaptureQueriesContext(connection) as captured:
        report = hours_report(
            year=2026,
            as_of=END,
            staff=staff_in_unit(unit),
            units=unit_subtree(unit),
            page=(("met", "not_met"), 0, 50),
        )
        page = report.people_with(("met", "not_met"))[0:50]
        report.people_with(("exempt",))[0:50]
        report.people_with(("not_met",)).count()
        report.units[0]["headcount"]
    assert page
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["P", "C2"])
def test_the_report_and_its_page_take_a_fixed_number_of_queries(roster, tree, code):  # noqa: F811
    # The province's page shows people with events; C2's people with exemptions.
    unit = tree[code]
    before = _queries(unit)
    for n in range(40):
        extra = StaffFactory(unit=tree["G3"], staff_no=f"X{n:03d}", hired_on=None)
        credit(extra, dt.date(2026, 5, 1), 10, "online")
    assert _queries(unit) == before
    if connection.vendor == "postgresql":
        # The rules, the units, the counts with the first page; another page.
        assert before == 4
