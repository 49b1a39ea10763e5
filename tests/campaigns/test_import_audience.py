"""Campaigns written in bulk by the importer get exactly the audience the rules select."""

import datetime as dt

import pytest

from learning.campaigns.importers import campaigns_import
from learning.campaigns.models import Campaign, CampaignMember
from learning.campaigns.selectors import campaign_audience
from learning.campaigns.services import campaign_sync_audience
from organisation.importing import run_import
from organisation.models import BusinessLine
from organisation.tabular import Table
from tests.factories import StaffFactory

from .test_import_campaigns import courses  # noqa: F401

pytestmark = pytest.mark.django_db

HEADERS = ["code", "title", "courses", "units", "business_lines", "positions"]


def table(rows: list[list[str]], headers=None) -> Table:
    headers = headers or [*HEADERS, "leaders_only", "starts_on", "due_on"]
    return Table(
        headers=headers,
        rows=[
            (n + 2, dict(zip(headers, row, strict=True))) for n, row in enumerate(rows)
        ],
    )


@pytest.fixture
def roster(tree):
    civil = BusinessLine.objects.get(code="civil")
    people = [
        StaffFactory(unit=tree["G1"], staff_no="A1", position="检察官"),
        StaffFactory(unit=tree["G1-D1"], staff_no="A2", is_leader=True),
        StaffFactory(unit=tree["G2"], staff_no="A3", position="书记员"),
        StaffFactory(unit=tree["G3"], staff_no="A4", is_leader=True),
        StaffFactory(unit=tree["G3"], staff_no="A5", active=False),
        StaffFactory(unit=tree["P"], staff_no="A6", position="书记员"),
    ]
    people[0].business_lines.add(civil)
    people[3].business_lines.add(civil)
    return people


PLAN = [
    ["ALL", "全员", "LAW-101", "", "", "", "", "2026-01-01", "2026-12-31"],
    ["C1", "一市", "LAW-101", "C1", "", "", "", "2026-01-01", "2026-12-31"],
    ["D1", "部门", "LAW-101", "G1-D1;G1", "", "", "", "2026-01-01", "30"],
    ["CIV", "民事", "CRM-201", "", "civil", "", "", "2026-01-01", "2026-12-31"],
    ["POS", "书记员", "LAW-101", "C1;C2", "", "书记员", "", "2026-01-01", "60"],
    ["LEAD", "领导", "LAW-101", "", "", "", "是", "2026-02-01", "2026-12-31"],
]


def members(code: str) -> set[int]:
    return set(
        CampaignMember.objects.filter(
            campaign__code=code, left_on__isnull=True
        ).values_list("staff_id", flat=True)
    )


def test_imported_campaigns_have_the_audience_their_rules_select(
    courses,  # noqa: F811
    roster,
):
    summary = run_import(campaigns_import, table=table(PLAN))

    assert summary.created == len(PLAN)
    for campaign in Campaign.objects.all():
        expected = set(campaign_audience(campaign).values_list("id", flat=True))
        assert members(campaign.code) == expected, campaign.code
        assert set(
            CampaignMember.objects.filter(campaign=campaign).values_list(
                "joined_on", flat=True
            )
        ) <= {campaign.starts_on}
    assert members("LEAD") == {roster[1].pk, roster[3].pk}
    assert members("POS") == {roster[2].pk}


def test_a_changed_rule_moves_people_in_and_out_as_a_sync_would(
    courses,  # noqa: F811
    roster,
):
    run_import(campaigns_import, table=table(PLAN))
    change = table([["C1", "一市", "LAW-101", "C2"]], headers=HEADERS[:4])
    today = dt.date.today()

    summary = run_import(campaigns_import, table=change)

    assert summary.updated == 1 and summary.unchanged == 0
    c1 = Campaign.objects.get(code="C1")
    assert members("C1") == set(campaign_audience(c1).values_list("id", flat=True))
    left = CampaignMember.objects.filter(campaign=c1, left_on=today)
    assert set(left.values_list("staff_id", flat=True)) == {
        roster[0].pk,
        roster[1].pk,
        roster[2].pk,
    }
    # What the one-campaign sync would do now is nothing: both agree.
    assert campaign_sync_audience(campaign=c1) == (0, 0)


def test_a_new_start_after_the_stored_due_date_is_refused(
    courses,  # noqa: F811
    roster,
):
    run_import(campaigns_import, table=table(PLAN))
    later = table(
        [["ALL", "全员", "LAW-101", "2027-01-01"]],
        headers=["code", "title", "courses", "starts_on"],
    )
    from organisation.tabular import ImportRejected

    with pytest.raises(ImportRejected) as refused:
        run_import(campaigns_import, table=later)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "due_on")]
    assert Campaign.objects.get(code="ALL").starts_on == dt.date(2026, 1, 1)
