"""Fault tests run only in CI's PostgreSQL/Redis pass: they need real concurrency."""

import pytest
from django.conf import settings


@pytest.fixture
def postgres_only():
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs PostgreSQL (CI's second pass)")
