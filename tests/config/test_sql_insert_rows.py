"""config.sql.insert_rows stores what the ORM's bulk_create stores (its reference)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from config.sql import insert_rows
from learning.campaigns.models import Campaign
from organisation.models import Indicator, StaffProfile

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("I1", "王一'; --", "检察官", True, dt.date(2020, 1, 2), "a@example.cn"),
    ("I2", "李二", "", False, None, ""),
]


def stored(model, pks, fields):
    return list(model.objects.filter(pk__in=pks).order_by("pk").values_list(*fields))


def write(writer, model, fields, rows):
    """The new keys of ``rows`` written by the ORM or by ``insert_rows``."""
    if writer == "ours":
        return insert_rows(model, fields, rows, ids=True)
    objs = model.objects.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows]
    )
    return [obj.pk for obj in objs]


@pytest.mark.parametrize("writer", ["orm", "ours"])
def test_it_writes_text_numbers_dates_flags_keys_json_nulls_and_defaults(tree, writer):
    User = get_user_model()
    user_ids = write(
        writer,
        User,
        ["username", "first_name", "password"],
        [(no, name, "!x") for no, name, *_rest in PEOPLE],
    )
    profile_fields = ["user_id", "unit_id", "staff_no", "name", "position"]
    profile_fields += ["is_leader", "hired_on", "email"]
    profile_ids = write(
        writer,
        StaffProfile,
        profile_fields,
        [
            (pk, tree["G1"].pk, *person)
            for pk, person in zip(user_ids, PEOPLE, strict=True)
        ],
    )
    indicator_ids = write(
        writer,
        Indicator,
        ["code", "name", "direction", "target_low", "target_high"],
        [("X-1", "指标", "range", Decimal("0.25"), None)],
    )
    campaign_ids = write(
        writer,
        Campaign,
        ["code", "title", "positions", "starts_on", "due_days"],
        [("C-1", "任务", ["检察官", "书记员"], dt.date(2026, 1, 1), 30)],
    )

    assert stored(User, user_ids, ["username", "first_name", "is_active"]) == [
        ("I1", "王一'; --", True),
        ("I2", "李二", True),
    ]
    assert stored(
        StaffProfile,
        profile_ids,
        ["user__username", "unit__code", *profile_fields[2:], "active"],
    ) == [("I1", "G1", *PEOPLE[0], True), ("I2", "G1", *PEOPLE[1], True)]
    assert all(p.updated_at for p in StaffProfile.objects.filter(pk__in=profile_ids))
    assert stored(Indicator, indicator_ids, ["target_low", "target_high"]) == [
        (Decimal("0.25"), None)
    ]
    campaign = Campaign.objects.get(pk__in=campaign_ids)
    assert campaign.positions == ["检察官", "书记员"]
    assert (campaign.due_on, campaign.due_days, campaign.recurrence) == (
        None,
        30,
        "none",
    )
    # Keys drawn ahead of the rows are the table's own: the next row follows them.
    after = Indicator.objects.create(code="X-2", name="后", direction="range")
    assert after.pk > max(indicator_ids)


def test_it_writes_nothing_for_no_rows(tree):
    assert insert_rows(Indicator, ["code"], [], ids=True) == []
    assert not Indicator.objects.filter(code__startswith="X-").exists()
