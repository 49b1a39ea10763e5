"""Report pages: scope (a unit leader sees their subtree only), anonymous access and
query budgets that do not grow with the number of people."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import StaffFactory

from .conftest import add_people

pytestmark = pytest.mark.django_db


def unit_page(code="G1"):
    return reverse("reports:campaign_unit", args=["LAW-T", code])


@pytest.mark.parametrize(
    "name,args",
    [
        ("reports:index", []),
        ("reports:campaign", ["LAW-T"]),
        ("reports:campaign_unit", ["LAW-T", "G1"]),
        ("reports:people_csv", ["LAW-T", "G1"]),
        ("reports:matrix", ["G1"]),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, law_campaign, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_learner_without_a_reporting_role_is_refused(client, law_campaign, learner):
    client.force_login(learner)
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(unit_page()).status_code == 403


def test_a_unit_leader_sees_their_subtree_only(client, law_campaign, unit_leader, tree):
    StaffFactory(unit=tree["G1-D1"], staff_no="MINE1", name="本院甲")
    StaffFactory(unit=tree["G3"], staff_no="OTHER1", name="外院乙")
    client.force_login(unit_leader)

    response = client.get(reverse("reports:campaign", args=["LAW-T"]))
    assert response.status_code == 302 and response["Location"] == unit_page("G1")

    page = client.get(unit_page("G1"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "本院甲" in html and "外院乙" not in html
    for code in ("G3", "C2", "P", "C1", "G2"):
        assert client.get(unit_page(code)).status_code == 404


def test_a_unit_leaders_csv_holds_only_their_people(
    client, law_campaign, unit_leader, tree
):
    StaffFactory(unit=tree["G1-D1"], staff_no="MINE1")
    StaffFactory(unit=tree["G3"], staff_no="OTHER1")
    client.force_login(unit_leader)

    body = b"".join(
        client.get(
            reverse("reports:people_csv", args=["LAW-T", "G1"]) + "?show=all"
        ).streaming_content
    ).decode("utf-8-sig")
    assert "MINE1" in body and "OTHER1" not in body
    other = client.get(reverse("reports:people_csv", args=["LAW-T", "G3"]))
    assert other.status_code == 404


def test_leadership_drills_down_from_the_province(client, law_campaign, leadership):
    client.force_login(leadership)
    response = client.get(reverse("reports:campaign", args=["LAW-T"]))
    assert response["Location"] == unit_page("P")
    html = client.get(unit_page("P")).content.decode()
    assert reverse("reports:campaign_unit", args=["LAW-T", "C1"]) in html
    assert client.get(unit_page("G3")).status_code == 200


def test_the_page_shows_leaders_as_their_own_row(client, law_campaign, leadership):
    client.force_login(leadership)
    html = client.get(unit_page("P")).content.decode()
    assert "领导干部（关键少数）" in html


def _count_queries(client, url) -> int:
    # A first request after signing in also stamps the session's idle deadline
    # (written at most every few minutes); the budget is that of the pages after it.
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:campaign_unit", args=["LAW-T", "P"]),
        reverse("reports:campaign_unit", args=["LAW-T", "P"]) + "?show=all&page=2",
        reverse("reports:index"),
        reverse("reports:matrix", args=["P"]),
    ],
)
def test_report_pages_have_a_query_budget_that_does_not_grow(
    client, law_campaign, leadership, tree, url, django_assert_num_queries
):
    client.force_login(leadership)
    add_people(tree, law_campaign.course, 30, prefix="A")
    small = _count_queries(client, url)
    add_people(tree, law_campaign.course, 120, prefix="B")
    cache.clear()
    with django_assert_num_queries(small):
        client.get(url)
    assert small <= 20


def test_a_unit_leaders_page_has_the_same_budget(
    client, law_campaign, unit_leader, tree, django_assert_num_queries
):
    client.force_login(unit_leader)
    add_people(tree, law_campaign.course, 10, prefix="A")
    small = _count_queries(client, unit_page("G1"))
    add_people(tree, law_campaign.course, 80, prefix="B")
    cache.clear()  # as for the first count (sessions, too, may be read from the cache)
    with django_assert_num_queries(small):
        client.get(unit_page("G1"))
