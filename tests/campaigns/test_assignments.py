"""assignments_for_user (the learner's dashboard) and audience membership."""

import datetime as dt

import pytest
from django.utils import timezone

from learning.campaigns.models import CampaignMember
from learning.campaigns.selectors import assignments_for_user
from learning.campaigns.services import campaign_sync_audience, exemption_grant
from organisation.models import StaffProfile
from organisation.signals import roster_changed
from tests.factories import StaffFactory

from .factories import complete, make_campaign, make_course

pytestmark = pytest.mark.django_db


def test_a_learner_sees_each_course_of_their_campaigns(reference_data, learner, tree):
    today = timezone.localdate()
    first, second = (
        make_course(reference_data, "A-1"),
        make_course(reference_data, "A-2"),
    )
    make_campaign(
        [first, second],
        code="MINE",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=5),
    )
    make_campaign(
        [first],
        code="NOT-MINE",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=5),
        units=[tree["G3"]],
    )
    complete(learner, first, today - dt.timedelta(days=1))

    items = assignments_for_user(learner)

    assert [(i["campaign_code"], i["course"].code, i["status"]) for i in items] == [
        ("MINE", "A-1", "completed"),
        ("MINE", "A-2", "in_progress"),
    ]
    assert items[0]["due_on"] == today + dt.timedelta(days=5)
    assert items[0]["campaign_title"] == "法治教育"


def test_exempt_and_overdue_reach_the_dashboard(reference_data, learner):
    today = timezone.localdate()
    course = make_course(reference_data, "A-1")
    late = make_campaign(
        [course],
        code="LATE",
        starts_on=today - dt.timedelta(days=30),
        due_on=today - dt.timedelta(days=1),
    )
    excused = make_campaign(
        [course],
        code="EXC",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=1),
    )
    exemption_grant(
        campaign=excused, staff=learner.profile, reason="借调", approver="x"
    )
    statuses = {i["campaign_code"]: i["status"] for i in assignments_for_user(learner)}
    assert statuses == {"LATE": "overdue", "EXC": "exempt"}
    assert late.code == "LATE"


def test_people_without_a_roster_entry_have_no_assignments(reference_data, db):
    from tests.factories import UserFactory

    assert assignments_for_user(UserFactory()) == []


def test_membership_follows_joiners_and_leavers(reference_data, tree):
    course = make_course(reference_data, "A-1")
    stays = StaffFactory(unit=tree["G1"], staff_no="S1")
    leaves = StaffFactory(unit=tree["G1"], staff_no="S2")
    campaign = make_campaign([course], starts_on=dt.date(2026, 1, 1), due_days=30)
    assert CampaignMember.objects.get(staff=stays).joined_on == dt.date(2026, 1, 1)

    StaffProfile.objects.filter(pk=leaves.pk).update(active=False)
    joiner = StaffFactory(unit=tree["G2"], staff_no="S3")
    joined, left = campaign_sync_audience(campaign=campaign, today=dt.date(2026, 3, 1))

    assert (joined, left) == (1, 1)
    assert CampaignMember.objects.get(staff=joiner).joined_on == dt.date(2026, 3, 1)
    assert CampaignMember.objects.get(staff=leaves).left_on == dt.date(2026, 3, 1)


def test_a_roster_import_brings_joiners_in(
    reference_data, tree, django_capture_on_commit_callbacks
):
    course = make_course(reference_data, "A-1")
    campaign = make_campaign([course], starts_on=dt.date(2026, 1, 1), due_days=30)
    joiner = StaffFactory(unit=tree["G2"], staff_no="S9")
    with django_capture_on_commit_callbacks(execute=True):
        roster_changed.send(sender=StaffProfile, staff_ids=[joiner.pk])
    assert CampaignMember.objects.filter(campaign=campaign, staff=joiner).exists()


def test_a_campaigns_rules_are_read_in_one_query_as_the_orm_gives_them(
    reference_data, tree, django_assert_num_queries
):
    from learning.campaigns.models import Campaign
    from learning.campaigns.selectors import campaign_rules
    from organisation.models import BusinessLine

    today = timezone.localdate()
    courses = [make_course(reference_data, f"R-{n}") for n in (1, 2)]
    lines = list(BusinessLine.objects.order_by("code")[:2])
    made = make_campaign(
        courses,
        code="RULES",
        starts_on=today,
        due_on=today + dt.timedelta(days=30),
        units=[tree["G3"], tree["G1"]],
        business_lines=lines,
        positions=["检察官"],
        leaders_only=True,
    )
    campaign = Campaign.objects.get(pk=made.pk)
    with django_assert_num_queries(1):
        rules = campaign_rules(campaign)
    assert rules.unit_paths == tuple(
        sorted(campaign.units.values_list("path", flat=True))
    )
    assert set(rules.unit_paths) == {tree["G3"].path, tree["G1"].path}
    assert rules.line_ids == tuple(sorted(line.pk for line in lines))
    assert rules.course_ids == tuple(sorted(c.pk for c in courses))
    assert rules.positions == ("检察官",) and rules.leaders_only
    everyone = make_campaign(
        courses[:1], code="ALL", starts_on=today, due_on=today + dt.timedelta(days=9)
    )
    bare = campaign_rules(Campaign.objects.get(pk=everyone.pk))
    assert (bare.unit_paths, bare.line_ids) == ((), ())
    assert bare.course_ids == (courses[0].pk,)
