"""The completion report's PDF shows campaign titles, unit and people's names as
written: markup in them is never read by reportlab, emoji do not break the file."""

import pytest
from django.urls import reverse

from organisation.models import Unit
from reports.models import ReportExport
from tests.config.test_pdf import HOSTILE, assert_shows_literally, pdf_page_text
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", list(HOSTILE))
def test_the_report_pdf_shows_hostile_titles_and_names_as_written(
    client, law_campaign, leadership, tree, text, django_capture_on_commit_callbacks
):
    law_campaign.title = text
    law_campaign.save(update_fields=["title"])
    Unit.objects.filter(pk=tree["G1-D1"].pk).update(name=text)
    StaffFactory(unit=tree["G1-D1"], staff_no="HOSTILE1", name=text)
    client.force_login(leadership)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:export_create", args=["LAW-T", "P"]),
            {"format": "pdf", "show": "not_done"},
        )
    export = ReportExport.objects.get()
    assert export.status == "done", export.error
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    data = b"".join(response.streaming_content)
    assert_shows_literally(data, [HOSTILE[text]])
    # The title line, and the person's name and unit in the people table.
    assert pdf_page_text(data).count(HOSTILE[text]) >= 3
