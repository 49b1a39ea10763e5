"""The Content-Security-Policy: no inline or eval'd script on the site, a nonce for
inline scripts we write, and the Wagtail admin's own script rule under /admin/."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from config.middleware import ContentSecurityPolicyMiddleware

from .conftest import client_for

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_the_production_policy_allows_no_inline_or_eval_script():
    production = importlib.import_module("config.production")
    script_src = production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'self'" in script_src


@pytest.mark.django_db
def test_site_pages_send_a_script_policy_without_unsafe_sources(world):
    code = world["campaign"].code
    pages = {
        "anonymous": ["/", "/accounts/login/"],
        "learner": ["/learning/", "/quizzes/"],
        "leadership": [
            "/reports/",
            f"/reports/campaigns/{code}/units/P/",
            "/insights/",
        ],
    }
    for role, urls in pages.items():
        client = client_for(world, role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            policy = directives(response.headers["Content-Security-Policy"])
            assert policy["script-src"][0] == "'self'", url
            assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(
                policy["script-src"]
            ), url
            assert "'unsafe-eval'" not in policy.get("default-src", [])


@pytest.mark.django_db
def test_the_wagtail_admin_gets_its_own_script_rule_without_eval(world):
    client = client_for(world, "administrator")
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    # No avatar fetched from outside the intranet.
    assert "gravatar.com" not in response.content.decode()


def test_an_inline_script_with_the_request_nonce_is_allowed():
    request = RequestFactory().get("/learning/")
    middleware = ContentSecurityPolicyMiddleware(lambda r: None)
    middleware.process_request(request)
    html = Template('<script nonce="{{ request.csp_nonce }}">start()</script>').render(
        Context({"request": request})
    )
    response = middleware.process_response(request, HttpResponse(html))
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    script_src = directives(response.headers["Content-Security-Policy"])["script-src"]
    assert f"'nonce-{nonce}'" in script_src
    assert "'unsafe-inline'" not in script_src


def _templates() -> list[Path]:
    skip = {".venv", "node_modules", "tests", "bench", "static"}
    return [
        path
        for path in ROOT.rglob("*.html")
        if not skip & set(path.relative_to(ROOT).parts)
    ]


def test_no_template_carries_inline_script_without_a_nonce_or_event_handlers():
    """Inline code would be refused by the policy, so the page would silently break."""
    inline_script = re.compile(r"<script(?![^>]*\b(src|nonce)=)(?![^>]*json)[^>]*>")
    handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
    templates = _templates()
    assert len(templates) > 20
    bad = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, handler):
            for match in pattern.finditer(text):
                bad.append(f"{path.relative_to(ROOT)}: {match.group(0)[:60]}")
    assert not bad
