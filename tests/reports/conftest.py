import datetime as dt

import pytest
from django.utils import timezone

from tests.campaigns.factories import complete, make_campaign, make_course
from tests.factories import StaffFactory


@pytest.fixture
def law_campaign(reference_data, tree):
    course = make_course(reference_data, "LAW-1")
    today = timezone.localdate()
    campaign = make_campaign(
        [course],
        code="LAW-T",
        starts_on=today - dt.timedelta(days=60),
        due_on=today + dt.timedelta(days=10),
    )
    campaign.course = course
    return campaign


def add_people(tree, course, n: int, *, prefix: str):
    """n people in G1-D1 and n in G3; every other one completed."""
    today = timezone.localdate()
    for i in range(n):
        for unit in ("G1-D1", "G3"):
            person = StaffFactory(unit=tree[unit], staff_no=f"{prefix}{unit}{i}")
            if i % 2:
                complete(person.user, course, today - dt.timedelta(days=1))
