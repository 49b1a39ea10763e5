"""The API's own pages and limits: OpenAPI, the local docs page, rate limiting."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_lists_the_fixed_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/campaigns/{code}/report/",
        "/api/v1/staff/",
        "/api/v1/staff/{staff_no}/",
        "/api/v1/completions/",
        "/api/v1/hours/",
        "/api/v1/certificates/{code}/",
        "/api/v1/indicator-values/",
        "/api/v1/gaps/",
        "/api/v1/xapi/statements/",
    ):
        assert path in paths, path
    assert "put" in paths["/api/v1/staff/{staff_no}/"]
    assert "post" in paths["/api/v1/completions/"]


def test_the_docs_page_loads_nothing_from_outside(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "http://" not in html and "https://" not in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@override_settings(RATE_LIMITS={"api": (3, 60)})
def test_each_token_has_its_own_rate_limit(api_as, leadership, unit_leader):
    from django.core.cache import cache

    cache.clear()
    busy, other = api_as(leadership), api_as(unit_leader)
    statuses = [busy.get("/api/v1/units/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = busy.get("/api/v1/units/")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert other.get("/api/v1/units/").status_code == 200


PUBLIC = {"api/v1/openapi.json", "api/v1/docs", "api/v1/certificates/<code>/"}


def test_a_signed_in_session_opens_no_api_route(client, administrator):
    from tests.security.routes import walk

    client.force_login(administrator)
    routes = {route for route, _name in walk() if route.startswith("api/v1/")}
    assert len(routes) > 10
    for route in sorted(routes - PUBLIC):
        path = "/" + route.replace("<code>", "X").replace("<staff_no>", "X")
        for method in ("get", "post", "put"):
            status = getattr(client, method)(path).status_code
            assert status in (401, 404, 405), (method, path, status)
            if method == "get" and route != "api/v1/":
                assert status in (401, 405), (path, status)
