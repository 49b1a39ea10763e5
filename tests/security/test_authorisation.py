"""Every route × role × own/other unit: allowed or denied as the matrix says."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from .conftest import ROLES, client_for
from .routes import MATRIX, OPTIONAL, covered, expected, walk

LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/_util/login/")

# Parameterless Wagtail admin pages opened by every role (the family rule).
ADMIN_SAMPLE = (
    "/admin/",
    "/admin/pages/",
    "/admin/images/",
    "/admin/documents/",
    "/admin/users/",
    "/admin/groups/",
    "/admin/snippets/",
    "/admin/reports/site-history/",
)


def outcome(response) -> str:
    """``A`` when the request got past authorisation, ``D`` when it was refused."""
    status = response.status_code
    if status >= 500:
        raise AssertionError(f"server error {status}")
    if status in (401, 403, 404, 405):
        return "D"
    if status in (301, 302):
        target = response.headers.get("Location", "")
        return "D" if any(p in target for p in LOGIN_PATHS) else "A"
    # 400 means the view was reached and refused the (empty) input: authorised.
    return "A"


def send(client, method: str, url: str):
    if method == "json":
        return client.post(
            url, data='{"seq": 0, "answers": {}}', content_type="application/json"
        )
    if method.startswith("post:"):
        return client.post(url, data=dict(parse_qsl(method[5:])))
    return getattr(client, method)(url)


def test_every_route_is_in_the_matrix():
    missing = [route for route, _name in walk() if not covered(route)]
    assert not missing, f"routes missing from tests/security/routes.py: {missing}"


def test_the_matrix_names_no_route_that_is_gone():
    routes = {route for route, _name in walk()}
    assert not set(MATRIX) - routes - set(OPTIONAL)


@pytest.mark.django_db
def test_every_route_answers_each_role_as_the_matrix_says(world):
    wrong = []
    for route, cases in MATRIX.items():
        for label, method, build, letters in cases:
            url = build(world)
            for role, want in expected(letters).items():
                if want == "-":
                    continue
                # A fresh client each time: the sign-out route must not sign
                # out the rest of the matrix.
                response = send(client_for(world, role), method, url)
                got = outcome(response)
                if got != want:
                    wrong.append(
                        f"{route} [{label}] {role}: expected {want}, got {got} "
                        f"({response.status_code} {response.headers.get('Location', '')})"
                    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_admin_lets_in_administrators_only(world):
    wrong = []
    for role in ROLES:
        client = client_for(world, role)
        for url in ADMIN_SAMPLE:
            got = outcome(client.get(url))
            # Trainers reach the admin for the course tree and question bank; the
            # pages of the sample that manage users stay closed to them.
            if role == "administrator":
                want = "A"
            elif role == "trainer":
                want = "A" if url in ("/admin/", "/admin/pages/") else None
            else:
                want = "D"
            if want is not None and got != want:
                wrong.append(f"{url} {role}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
