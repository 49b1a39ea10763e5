"""config.static: static addresses remembered, and forgotten on a settings change."""

import json

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import engines
from django.test import override_settings

from config.static import RememberedManifestStaticFilesStorage


def _static(path: str) -> str:
    return (
        engines["django"]
        .from_string("{% load static %}{% static p %}")
        .render({"p": path})
    )


def test_the_same_address_is_given_and_follows_a_change_of_static_url():
    assert _static("css/site.css") == "/static/css/site.css"
    assert _static("css/site.css") == "/static/css/site.css"
    assert _static("css/a b.css") == "/static/css/a%20b.css"
    with override_settings(STATIC_URL="/assets/"):
        assert _static("css/site.css") == "/assets/css/site.css"
    assert _static("css/site.css") == "/static/css/site.css"


def test_the_manifest_storage_gives_the_hashed_name(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps(
            {"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1"}
        )
    )
    storage = RememberedManifestStaticFilesStorage(location=str(tmp_path))
    for _ in range(2):
        assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    with pytest.raises(ValueError):
        storage.url("css/missing.css")  # strict, and not remembered as anything
    with pytest.raises(ValueError):
        storage.url("css/missing.css")


def test_the_configured_storage_remembers():
    staticfiles_storage.url("js/site.js")
    assert "js/site.js" in staticfiles_storage._wrapped._remembered_urls
