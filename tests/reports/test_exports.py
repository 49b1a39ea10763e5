"""Generated report files: built by a task, scoped to the requester's units, and
downloadable only by the person who asked for them."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organisation.models import RoleAssignment
from organisation.services import role_assign
from reports.models import ReportExport
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_leader(tree):
    user = StaffFactory(unit=tree["G3"], staff_no="UL003", is_leader=True).user
    role_assign(user=user, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G3"])
    return user


@pytest.fixture
def roster(tree):
    StaffFactory(unit=tree["G1-D1"], staff_no="MINE1", name="本院甲")
    StaffFactory(unit=tree["G3"], staff_no="OTHER1", name="=外院乙")


def request_export(client, unit, fmt, callbacks, show="all"):
    with callbacks(execute=True):
        response = client.post(
            reverse("reports:export_create", args=["LAW-T", unit]),
            {"format": fmt, "show": show},
        )
    return response


def download(client, export) -> bytes:
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_unit_leaders_xlsx_holds_only_their_subtree(
    client, law_campaign, unit_leader, roster, django_capture_on_commit_callbacks
):
    client.force_login(unit_leader)
    response = request_export(client, "G1", "xlsx", django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    assert response["Location"] == reverse("reports:export_detail", args=[export.pk])
    assert export.status == "done" and export.progress == 100

    sheet = load_workbook(io.BytesIO(download(client, export))).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "MINE1" in numbers and "OTHER1" not in numbers


def test_a_generated_file_is_not_downloadable_by_another_leader(
    client,
    law_campaign,
    unit_leader,
    other_leader,
    leadership,
    roster,
    django_capture_on_commit_callbacks,
):
    client.force_login(unit_leader)
    request_export(client, "G1", "csv", django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()

    for intruder in (other_leader, leadership):
        client.force_login(intruder)
        for name in ("reports:export_detail", "reports:export_download"):
            assert client.get(reverse(name, args=[export.pk])).status_code == 404


def test_a_file_is_no_longer_downloadable_once_the_unit_is_out_of_scope(
    client, law_campaign, unit_leader, roster, tree, django_capture_on_commit_callbacks
):
    client.force_login(unit_leader)
    request_export(client, "G1", "csv", django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    RoleAssignment.objects.filter(user=unit_leader).delete()
    role_assign(user=unit_leader, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G2"])

    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 404


def test_a_leader_cannot_request_a_file_for_another_unit(
    client, law_campaign, unit_leader, django_capture_on_commit_callbacks
):
    client.force_login(unit_leader)
    response = request_export(client, "G3", "pdf", django_capture_on_commit_callbacks)
    assert response.status_code == 404
    assert not ReportExport.objects.exists()


def test_the_pdf_is_built_with_the_unit_table_and_people(
    client, law_campaign, leadership, roster, django_capture_on_commit_callbacks
):
    client.force_login(leadership)
    request_export(client, "P", "pdf", django_capture_on_commit_callbacks, "not_done")
    export = ReportExport.objects.get()
    assert export.status == "done" and export.rows >= 2
    assert download(client, export).startswith(b"%PDF")


def test_the_csv_neutralises_formula_cells(
    client, law_campaign, leadership, roster, django_capture_on_commit_callbacks
):
    client.force_login(leadership)
    request_export(client, "P", "csv", django_capture_on_commit_callbacks)
    text = download(client, ReportExport.objects.get()).decode("utf-8-sig")
    assert "'=外院乙" in text
    assert text.splitlines()[0].startswith("工号,姓名")


def test_anonymous_visitors_cannot_reach_a_file(client, law_campaign):
    response = client.get(reverse("reports:export_download", args=[1]))
    assert response.status_code == 302
