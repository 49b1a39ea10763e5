import pytest

from insights.services import snapshot_refresh
from tests.insights.helpers import planted_province


@pytest.fixture
def planted(reference_data):
    data = planted_province(reference_data)
    snapshot_refresh("2026Q2")
    data["snapshot"] = snapshot_refresh("2026Q3")
    return data
