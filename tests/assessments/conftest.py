import pytest


@pytest.fixture
def reference_data(reference_data):
    """The foundation's reference data plus the shipped indicator catalogue."""
    from organisation.services import indicators_load_shipped

    indicators_load_shipped()
    return reference_data
