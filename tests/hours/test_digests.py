import datetime as dt
from decimal import Decimal

import pytest

from hours.digests import behind_pace, hours_digests_send
from hours.models import HoursExemption
from hours.services import manual_entry_add
from tests.factories import StaffFactory

END_OF_JUNE = dt.date(2026, 6, 30)


def credit(staff, hours, kind):
    manual_entry_add(
        staff=staff,
        on=dt.date(2026, 2, 1),
        hours=Decimal(hours),
        kind=kind,
        title="x",
        reason="补录",
        user=None,
    )


@pytest.fixture
def roster(tree, unit_leader):
    unit_leader.profile.email = "lead@example.org"
    unit_leader.profile.save()
    # End of June: pace is 6/12 → online 25, centralised 45.
    on_pace = StaffFactory(unit=tree["G1"], staff_no="ON1", rank_category="general")
    credit(on_pace, 25, "online")
    credit(on_pace, 45, "centralised")
    behind = StaffFactory(unit=tree["G1-D1"], staff_no="BH1", rank_category="general")
    credit(behind, 25, "online")
    credit(behind, 44, "centralised")
    excused = StaffFactory(unit=tree["G1"], staff_no="EX1")
    HoursExemption.objects.create(
        staff=excused,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        reason="病假",
    )
    StaffFactory(unit=tree["G3"], staff_no="FAR1")  # behind, but elsewhere
    return tree


@pytest.mark.django_db
def test_only_people_behind_pace_in_the_subtree_are_named(roster, unit_leader):
    names = {p["staff_no"] for p in behind_pace(unit=roster["G1"], as_of=END_OF_JUNE)}
    # The unit leader themself has no hours either.
    assert names == {"BH1", "UL001"}


@pytest.mark.django_db
def test_each_leader_gets_one_email_of_their_subtree(roster, unit_leader, mailoutbox):
    outcome = hours_digests_send(as_of=END_OF_JUNE)
    assert outcome.failed == 0
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert mailoutbox[0].to == ["lead@example.org"]
    assert "BH1" in body and "ON1" not in body and "FAR1" not in body
    assert "EX1" not in body
