import datetime as dt

import pytest
from django.urls import reverse

from hours.models import LedgerEntry
from tests.factories import StaffFactory


@pytest.mark.django_db
def test_a_manual_entry_needs_a_reason_and_records_its_author(client, admin_user, tree):
    staff = StaffFactory(unit=tree["G1"], staff_no="A1")
    client.force_login(admin_user)
    url = reverse("wagtailsnippets_hours_ledgerentry:add")
    data = {
        "staff": staff.pk,
        "on": "2026-03-01",
        "hours": "8",
        "kind": "centralised",
        "title": "外省培训班",
        "reason": "",
    }
    client.post(url, data)
    assert not LedgerEntry.objects.exists()
    client.post(url, data | {"reason": "外出培训证明"})
    entry = LedgerEntry.objects.get()
    assert (entry.source, entry.created_by, entry.on) == (
        "manual",
        admin_user,
        dt.date(2026, 3, 1),
    )


@pytest.mark.django_db
def test_the_rules_list_shows_the_seeded_plan(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("wagtailsnippets_hours_requirement:list"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 5
