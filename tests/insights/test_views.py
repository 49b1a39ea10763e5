"""Insights pages: who sees what, exports, the campaign action and query budgets."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.services import snapshot_refresh
from tests.insights.helpers import RATIO, table

pytestmark = pytest.mark.django_db

INDEX = reverse("insights:index")


def test_anonymous_visitors_are_sent_to_sign_in(client, planted):
    for url in (
        INDEX,
        reverse("insights:unit", args=["G07"]),
        reverse("insights:export", args=["csv"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_learner_without_a_role_is_refused(client, planted):
    person = planted["staff"]["G01"][0].user
    client.force_login(person)
    assert client.get(INDEX).status_code == 403
    assert client.get(reverse("insights:export", args=["csv"])).status_code == 403


def test_leadership_sees_the_heatmap_needs_and_method_note(client, leader):
    client.force_login(leader)
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="insights-more"' in html and 'id="heatmap"' not in html
    more = client.get(reverse("insights:more")).content.decode()
    assert 'id="heatmap"' in more and "heatmap-data" in more
    assert "第8基层院" in html + more and "第1基层院" in more
    full = client.get(INDEX + "?full=1").content.decode()
    assert 'id="heatmap"' in full and "data-src" not in full
    rows = response.context["need_rows"]
    assert (rows[0]["unit_code"], rows[0]["indicator_code"]) == ("G08", RATIO)
    assert "October 2024" in html or "2024年10月" in html


def test_a_unit_leader_sees_only_their_unit(client, g07_leader):
    client.force_login(g07_leader)
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "第7基层院" in html
    for other in ("第8基层院", "第1基层院", "一市院"):
        assert other not in html
    assert {r["unit_code"] for r in response.context["need_rows"]} == {"G07"}
    more = client.get(reverse("insights:more"))
    assert more.context["heatmap"]["unitCodes"] == ["G07"]
    for other in ("第8基层院", "第1基层院", "一市院"):
        assert other not in more.content.decode()


def test_a_unit_leader_gets_404_for_another_units_page(client, g07_leader):
    client.force_login(g07_leader)
    assert client.get(reverse("insights:unit", args=["G07"])).status_code == 200
    assert client.get(reverse("insights:unit", args=["G08"])).status_code == 404
    assert client.get(reverse("insights:unit", args=["C1"])).status_code == 404


def test_the_unit_page_shows_indicators_history_and_needed_training(client, leader):
    client.force_login(leader)
    response = client.get(reverse("insights:unit", args=["G08"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "IND-102" in html
    need = response.context["needs"][0]
    assert need["indicator_code"] == RATIO
    assert need["remedy"] == "assign_course"
    # Named without scores: the five who have not completed the course.
    assert [no for no, _name in need["people_to_train"]] == [
        f"G08S{i}" for i in range(1, 6)
    ]
    assert "干警G081（G08S1）" in html
    assert {p["period"] for h in response.context["history"] for p in h["points"]} == {
        "2026Q2",
        "2026Q3",
    }


def read_csv(response) -> list[list[str]]:
    """The table of an export, after its notes and the blank line."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[rows.index([""] * len(rows[-1])) + 1 :]


def xlsx_rows(response) -> list[tuple]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    blank = next(i for i, r in enumerate(rows) if not any(r))
    return rows[blank + 1 :]


def test_a_unit_leaders_export_holds_only_their_unit(client, g07_leader):
    client.force_login(g07_leader)
    rows = read_csv(client.get(reverse("insights:export", args=["csv"])))
    assert len(rows) > 1
    assert {r[0] for r in rows[1:]} == {"G07"}
    response = client.get(reverse("insights:export", args=["xlsx"]))
    assert {r[0] for r in xlsx_rows(response)[1:]} == {"G07"}


def test_exports_neutralise_formula_cells(client, leader, planted):
    from organisation.models import Unit

    Unit.objects.filter(code="G08").update(name="=HYPERLINK(1)")
    snapshot_refresh("2026Q3")
    client.force_login(leader)
    rows = read_csv(
        client.get(reverse("insights:export", args=["csv"]) + "?period=2026Q3")
    )
    names = {r[1] for r in rows[1:]}
    assert "'=HYPERLINK(1)" in names and "=HYPERLINK(1)" not in names


def test_leadership_creates_a_campaign_for_a_gap(client, leader):
    from learning.campaigns.models import Campaign

    client.force_login(leader)
    response = client.post(
        reverse("insights:gap_campaign"),
        {"period": "2026Q3", "unit_code": "G08", "indicator_code": RATIO},
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert [c.code for c in campaign.courses.all()] == ["IND-102"]
    assert [u.code for u in campaign.units.all()] == ["G08"]


def test_the_needs_table_posts_one_form_whose_button_names_the_gap(client, leader):
    from learning.campaigns.models import Campaign

    client.force_login(leader)
    html = client.get(INDEX + "?period=2026Q3").content.decode()
    assert html.count('id="gap-form"') == 1
    assert html.count("csrfmiddlewaretoken") <= 3  # the form, sign-out, language
    assert f'value="G08|{RATIO}"' in html
    response = client.post(
        reverse("insights:gap_campaign"),
        {"period": "2026Q3", "gap": f"G08|{RATIO}"},
    )
    assert response.status_code == 302
    assert [u.code for u in Campaign.objects.get().units.all()] == ["G08"]


def test_the_first_view_stays_small_and_the_rest_is_scoped_to_the_reader(
    client, leader
):
    client.force_login(leader)
    first = client.get(INDEX)
    more = client.get(reverse("insights:more"))
    assert len(first.content) < 25_000
    assert b"heatmap-data" not in first.content and b"heatmap-data" in more.content


def test_a_unit_leader_cannot_create_campaigns(client, g07_leader):
    from learning.campaigns.models import Campaign

    client.force_login(g07_leader)
    response = client.post(
        reverse("insights:gap_campaign"),
        {"period": "2026Q3", "unit_code": "G07", "indicator_code": RATIO},
    )
    assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_the_campaign_action_refuses_get(client, leader):
    client.force_login(leader)
    assert client.get(reverse("insights:gap_campaign")).status_code == 405


def test_an_unknown_period_is_404(client, leader):
    client.force_login(leader)
    assert client.get(INDEX + "?period=2001").status_code == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_use_a_fixed_number_of_queries_as_data_grow(client, leader, planted):
    from insights.services import indicator_values_import
    from organisation.importing import run_import

    client.force_login(leader)
    client.get(INDEX)  # warm per-session caches
    unit_url = reverse("insights:unit", args=["G08"])
    small = (count_queries(client, INDEX), count_queries(client, unit_url))
    rows = [
        {
            "unit_code": code,
            "indicator_code": indicator,
            "period": "2026Q3",
            "value": "0.5",
        }
        for code in planted["units"]
        for indicator in (
            "acquittal_rate",
            "non_arrest_rate",
            "petition_7day_response_rate",
        )
    ]
    run_import(indicator_values_import, table=table(rows))
    snapshot_refresh("2026Q3")
    large = (count_queries(client, INDEX), count_queries(client, unit_url))
    assert small == large
    assert small[0] <= 12 and small[1] <= 12
