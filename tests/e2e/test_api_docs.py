"""The API's documentation page works in a browser under the site's CSP, offline."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_from_local_files_under_the_policy(page, reference_data):
    refused, outside = [], []
    page.on(
        "console",
        lambda m: (
            refused.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    page.on("pageerror", lambda e: refused.append(str(e)))
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((page.base_url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(page.base_url + "/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API")
    expect(
        page.locator("#operations-organisation-api_routers_organisation_staff_list")
    ).to_be_visible()
    screenshot(page, "api-docs")
    assert refused == []
    assert outside == []
