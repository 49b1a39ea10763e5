"""Hostile query strings, form fields and path segments never cause a server error.

Security finding 9: NUL bytes (PostgreSQL refuses them in any text), integers past
2³¹, dates near the end of the calendar, year 0 and odd characters in codes each gave
a 500. Every route of the matrix is walked with them, as a role that may use it.
"""

from __future__ import annotations

import re

import pytest

from .conftest import client_for
from .routes import MATRIX, OPTIONAL
from .test_csrf_and_get import _role

pytestmark = pytest.mark.django_db

HOSTILE_QUERY = (
    "q=%00&period=%00&indicator=%00&as_of=9999-12-31&year=0&page=99999999999999999999"
    "&quiz=%C2%B2&learner=%00&show=%00&format=%00&all=%00&line=%00&kind=%00"
)
ODD_QUERIES = [
    "as_of=9999-12-31",
    "as_of=0001-01-01",
    "year=0",
    "year=99999999999999999999",
    "year=-1",
    "page=-1",
    "q=2147483648",
    "quiz=99999999999999999999",
]
# Path segments for <str:…>, <slug:…> and <int:…> placeholders.
ODD_SEGMENTS = ["%00", "a%20b", "..", "%E2%80%AE", "x" * 300, "%25", "A%2FB"]
HUGE_INT = str(2**64)


def _get_cases():
    for route, cases in MATRIX.items():
        for label, method, build, _letters in cases:
            if method == "get":
                yield route, label, build


def _server_errors(client, urls):
    return [
        f"{url}: {status}"
        for url in urls
        if (status := client.get(url).status_code) >= 500
    ]


def test_hostile_query_strings_never_give_a_server_error(world):
    failures = []
    for route, label, build in _get_cases():
        if route in OPTIONAL:
            continue
        client = client_for(world, _role(route), raise_request_exception=False)
        base = build(world)
        joiner = "&" if "?" in base else "?"
        urls = [base + joiner + HOSTILE_QUERY]
        urls += [base + joiner + query for query in ODD_QUERIES]
        failures += [f"[{label}] {f}" for f in _server_errors(client, urls)]
    assert not failures, "\n".join(failures)


def _placeholder_urls(route: str) -> list[str]:
    if route.startswith("^") or "<" not in route:
        return []
    urls = []
    for segment in ODD_SEGMENTS:
        path = re.sub(r"<(str|slug|path):\w+>", segment, route)
        urls.append("/" + re.sub(r"<int:\w+>", HUGE_INT, path))
    return urls


def test_odd_characters_in_codes_and_huge_ids_never_give_a_server_error(world):
    failures = []
    for route in MATRIX:
        client = client_for(world, _role(route), raise_request_exception=False)
        failures += _server_errors(client, _placeholder_urls(route))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url,role",
    [
        ("/search/?q=%00", "learner"),
        ("/insights/?period=%00", "leadership"),
        ("/reports/?x%00=1", "leadership"),
        ("/reports/campaigns/%00/", "leadership"),
    ],
)
def test_a_nul_byte_is_refused_with_a_clear_400(world, url, role):
    response = client_for(world, role).get(url)
    assert response.status_code == 400
    assert "不允许的字符" in response.content.decode()


def test_a_nul_byte_in_a_posted_form_writes_nothing(world):
    from learning.campaigns.models import Campaign

    client = client_for(world, "leadership")
    response = client.post(
        "/reports/manage/campaigns/new/",
        {"code": "NUL-1", "title": "有\x00空字符", "starts_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert not Campaign.objects.filter(code="NUL-1").exists()


def test_a_nul_escape_in_an_autosave_is_refused(world):
    from assessments.models import Response

    attempt = world["attempt"]
    client = client_for(world, "learner")
    response = client.post(
        f"/quizzes/attempts/{attempt.pk}/save/",
        '{"seq": 0, "answers": {"1": {"text": "a\\u0000b"}}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert not Response.objects.filter(item__attempt=attempt).exclude(answer={})


def test_reports_read_a_far_as_of_date_and_year_zero_as_the_defaults(world):
    client = client_for(world, "leadership")
    code = world["campaign"].code
    page = f"/reports/campaigns/{code}/units/P/"
    assert client.get(page + "?as_of=9999-12-31").status_code == 200
    assert client.get("/reports/matrix/G1/?year=0").status_code == 200


HOSTILE_FORM = {
    "seq": str(2**40),
    "position": str(2**40),
    "answer_present": "1",
    "answer": "1e999999999",
    "go": str(2**64),
    "revoke": "²",
    "quiz": "²",
    "response": "9" * 30,
    "score": "1e999999999",
    "period": "9999Q9",
    "unit_code": "../G3",
    "indicator_code": "a" * 500,
    "format": "csv",
    "show": "x" * 300,
    "then": "x",
    "language": "x" * 300,
}


def test_hostile_form_posts_never_give_a_server_error(world):
    failures = []
    for route, cases in MATRIX.items():
        if route in OPTIONAL or route.startswith("accounts/logout"):
            continue
        client = client_for(world, _role(route), raise_request_exception=False)
        for label, _method, build, _letters in cases:
            for url in [build(world), *_placeholder_urls(route)[:1]]:
                status = client.post(url, HOSTILE_FORM).status_code
                if status >= 500:
                    failures.append(f"{route} [{label}] {url}: {status}")
    # The attempt page's own form, as its learner.
    learner = client_for(world, "learner", raise_request_exception=False)
    own = f"/quizzes/attempts/{world['attempt'].pk}/"
    if learner.post(own, HOSTILE_FORM).status_code >= 500:
        failures.append(own)
    assert not failures, "\n".join(failures)
