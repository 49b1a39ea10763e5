"""config.sql.bulk_update writes what the ORM's bulk_update writes (its reference)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from config.sql import bulk_update
from learning.campaigns.models import Campaign
from organisation.models import Indicator, StaffProfile
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def stored(model, pks, fields):
    return list(model.objects.filter(pk__in=pks).order_by("pk").values_list(*fields))


@pytest.mark.parametrize("writer", ["orm", "ours", "ours, copied"])
def test_it_writes_text_numbers_dates_flags_keys_json_and_nulls(
    tree, writer, monkeypatch
):
    if writer == "ours, copied":
        # Large updates go through COPY on PostgreSQL; every update does here.
        monkeypatch.setattr("config.sql.COPY_UPDATE_FROM", 1)
    people = [StaffFactory(unit=tree["G1"], staff_no=f"B{n}") for n in range(3)]
    for n, person in enumerate(people):
        person.name = f"改名{n}'; --"
        person.unit = tree["G3"] if n else tree["G2"]
        person.is_leader = bool(n % 2)
        person.hired_on = dt.date(2020, 1, n + 1) if n else None
        person.email = ""
    fields = ["name", "unit", "is_leader", "hired_on", "email"]
    indicator = Indicator.objects.create(
        code="X-1", name="指标", direction="range", target_low=Decimal("0.1")
    )
    indicator.target_low, indicator.target_high = Decimal("0.25"), None
    campaign = Campaign.objects.create(
        code="C-1", title="任务", starts_on=dt.date(2026, 1, 1), due_days=30
    )
    campaign.positions, campaign.due_on, campaign.due_days = (
        ["检察官", "书记员"],
        dt.date(2026, 12, 31),
        None,
    )
    users = [p.user for p in people]
    for user in users:
        user.is_active = False

    if writer == "orm":
        StaffProfile.objects.bulk_update(people, fields)
        Indicator.objects.bulk_update([indicator], ["target_low", "target_high"])
        Campaign.objects.bulk_update([campaign], ["positions", "due_on", "due_days"])
        get_user_model().objects.bulk_update(users, ["is_active"])
    else:
        bulk_update(people, fields, batch_size=2)
        bulk_update([indicator], ["target_low", "target_high"])
        bulk_update([campaign], ["positions", "due_on", "due_days"])
        bulk_update(users, ["is_active"])

    assert stored(
        StaffProfile, [p.pk for p in people], ["name", "unit__code", "is_leader"]
    ) == [
        ("改名0'; --", "G2", False),
        ("改名1'; --", "G3", True),
        ("改名2'; --", "G3", False),
    ]
    assert stored(StaffProfile, [p.pk for p in people], ["hired_on"]) == [
        (None,),
        (dt.date(2020, 1, 2),),
        (dt.date(2020, 1, 3),),
    ]
    indicator.refresh_from_db()
    assert (indicator.target_low, indicator.target_high) == (Decimal("0.25"), None)
    campaign.refresh_from_db()
    assert campaign.positions == ["检察官", "书记员"]
    assert (campaign.due_on, campaign.due_days) == (dt.date(2026, 12, 31), None)
    assert (
        not get_user_model()
        .objects.filter(pk__in=[u.pk for u in users], is_active=True)
        .exists()
    )
    # Rows not passed are left alone.
    assert (
        StaffProfile.objects.exclude(pk__in=[p.pk for p in people])
        .filter(name__startswith="改名")
        .count()
        == 0
    )
