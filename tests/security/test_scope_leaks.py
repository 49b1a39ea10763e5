"""Zero rows of other units in any page, export, API response or generated file.

The other unit (G3) carries planted names; a unit leader of G1 and a learner of
G1-D1 must never see them, while leadership does (the control that proves the
planted rows are really in the data the pages read).
"""

from __future__ import annotations

import io
import zipfile

import pytest

from .conftest import PLANTED_PERSON, PLANTED_STAFF_NO, PLANTED_UNIT, client_for


def body_text(response) -> str:
    """The text of any response: pages, JSON, CSV (streamed or not) and XLSX."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    elif hasattr(response, "file_to_stream"):
        data = b"".join(response)
    else:
        data = response.content
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def leaks(text: str) -> list[str]:
    return [s for s in (PLANTED_PERSON, PLANTED_STAFF_NO, PLANTED_UNIT) if s in text]


def scoped_urls(world) -> list[str]:
    code = world["campaign"].code
    return [
        "/",
        "/learning/",
        "/reports/",
        f"/reports/campaigns/{code}/",
        f"/reports/campaigns/{code}/?show=all",
        f"/reports/campaigns/{code}/units/G1/",
        f"/reports/campaigns/{code}/units/G1/?show=all",
        f"/reports/campaigns/{code}/units/G1/people.csv",
        f"/reports/campaigns/{code}/units/G1/people.csv?show=all",
        "/reports/matrix/",
        "/reports/matrix/G1/",
        "/insights/",
        "/insights/?full=1",
        "/insights/more/",
        "/insights/export.csv",
        "/insights/export.xlsx",
        "/search/?q=泄漏",
        "/notifications/",
        "/quizzes/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["unit_leader", "learner"])
def test_no_page_or_export_shows_other_units_people(world, role):
    client = client_for(world, role)
    found = {}
    for url in scoped_urls(world):
        response = client.get(url)
        if response.status_code == 200:
            hit = leaks(body_text(response))
            if hit:
                found[url] = hit
    assert not found


@pytest.mark.django_db
def test_leadership_sees_the_planted_people(world):
    client = client_for(world, "leadership")
    code = world["campaign"].code
    response = client.get(f"/reports/campaigns/{code}/units/G3/people.csv?show=all")
    assert response.status_code == 200
    assert PLANTED_PERSON in body_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_generated_report_files_hold_only_the_leaders_subtree(
    world, fmt, django_capture_on_commit_callbacks
):
    from reports.models import ReportExport

    client = client_for(world, "unit_leader")
    code = world["campaign"].code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/reports/campaigns/{code}/units/G1/export/",
            {"format": fmt, "show": "all"},
        )
    assert response.status_code == 302
    export = ReportExport.objects.latest("pk")
    assert export.status == ReportExport.Status.DONE
    download = client.get(f"/reports/exports/{export.pk}/download/")
    assert download.status_code == 200
    text = body_text(download)
    assert "L0001" in text  # the learner of G1-D1 is in the file
    assert not leaks(text)


@pytest.mark.django_db
def test_a_unit_leader_cannot_fetch_the_province_file(world):
    client = client_for(world, "unit_leader")
    export = world["province_export"]
    assert client.get(f"/reports/exports/{export.pk}/").status_code == 404
    assert client.get(f"/reports/exports/{export.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_a_learner_cannot_read_anothers_attempt_or_certificate(world):
    client = client_for(world, "learner")
    other = world["other_attempt"]
    for url in (
        f"/quizzes/attempts/{other.pk}/",
        f"/quizzes/attempts/{other.pk}/summary/",
        f"/quizzes/attempts/{other.pk}/result/",
        f"/learning/certificates/{world['other_certificate'].code}.pdf",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert not leaks(body_text(response))
