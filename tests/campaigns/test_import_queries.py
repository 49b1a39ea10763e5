"""The campaign and completion importers make as many queries for 200 rows as for 10."""

import pytest

from learning.campaigns.importers import campaigns_import, completions_import
from learning.campaigns.models import CampaignMember
from learning.models import CourseCompletion
from organisation.importers import staff_import
from organisation.importing import run_import
from tests.organisation.helpers import queries_of, table_of
from tests.organisation.test_import_queries import whole_batches  # noqa: F401

from .test_import_campaigns import courses  # noqa: F401

pytestmark = pytest.mark.django_db


def roster_of(count: int) -> None:
    people = [
        [f"P{n:03d}", f"人员{n}", ("G1", "G2", "G3")[n % 3]] for n in range(count)
    ]
    run_import(staff_import, table=table_of(["staff_no", "name", "unit_code"], people))


@pytest.fixture
def roster(tree):
    roster_of(100)


@pytest.fixture
def small_roster(tree):
    # Members go in as few statements as the database allows: 200 campaigns of 40
    # people at most stay within one, so the count compared is the campaigns' own.
    roster_of(40)


def plan(count: int, prefix: str, title: str = "任务"):
    return table_of(
        ["code", "title", "courses", "units", "starts_on", "due_on"],
        [
            [f"{prefix}-{n}", f"{title}{n}", "LAW-101;CRM-201", ("C1", "G3")[n % 2]]
            + ["2026-01-01", "2026-12-31"]
            for n in range(count)
        ],
    )


def test_campaign_import_queries_do_not_grow_with_rows(
    courses,  # noqa: F811
    small_roster,
    django_assert_max_num_queries,
):
    small = queries_of(campaigns_import, plan(10, "S"))
    with django_assert_max_num_queries(small):
        run_import(campaigns_import, table=plan(200, "L"))
    # C1 holds G1 and G2 (27 people), G3 holds 13: every campaign has its audience.
    assert CampaignMember.objects.filter(campaign__code__startswith="L-").count() == (
        100 * 27 + 100 * 13
    )

    small = queries_of(campaigns_import, plan(10, "S", "新任务"))
    with django_assert_max_num_queries(small):
        summary = run_import(campaigns_import, table=plan(200, "L", "新任务"))
    assert summary.updated == 200


def completions(count: int, day: str = "2026-03-01"):
    return table_of(
        ["staff_no", "course_code", "completed_on", "source"],
        [
            [f"P{n // 2:03d}", ("LAW-101", "CRM-201")[n % 2], day, "线下集中培训"]
            for n in range(count)
        ],
    )


def test_completion_import_queries_do_not_grow_with_rows(
    courses,  # noqa: F811
    roster,
    django_assert_max_num_queries,
):
    small = queries_of(completions_import, completions(10))
    CourseCompletion.objects.all().delete()
    with django_assert_max_num_queries(small):
        run_import(completions_import, table=completions(200))
    small = queries_of(completions_import, completions(10, "2026-03-02"))
    with django_assert_max_num_queries(small):
        summary = run_import(completions_import, table=completions(200, "2026-03-03"))
    assert summary.updated == 200
    assert CourseCompletion.objects.filter(source="offline").count() == 200
