"""The 学时 archive PDF shows people's and units' names and the ledger's titles as
written: markup in them is never read by reportlab, emoji do not break the file."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hours.services import manual_entry_add
from organisation.models import Unit
from tests.config.test_pdf import HOSTILE, assert_shows_literally, pdf_page_text
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", list(HOSTILE))
def test_the_archive_pdf_shows_hostile_names_and_titles_as_written(client, tree, text):
    Unit.objects.filter(pk=tree["G1-D1"].pk).update(name=text)
    staff = StaffFactory(unit=tree["G1-D1"], staff_no="HOSTILE1", name=text)
    manual_entry_add(
        staff=staff,
        on=dt.date(timezone.localdate().year, 1, 2),
        hours=Decimal(3),
        kind="online",
        title=text,
        reason="纸质证书",
        user=None,
    )
    client.force_login(staff.user)
    response = client.get(reverse("hours:my_archive"))
    assert response.status_code == 200
    assert_shows_literally(response.content, [HOSTILE[text]])
    # The person's name, the unit's name and the ledger entry's title.
    assert pdf_page_text(response.content).count(HOSTILE[text]) >= 3
