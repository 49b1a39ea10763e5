import pytest

from insights.services import snapshot_refresh
from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.factories import StaffFactory
from tests.insights.helpers import planted_province


@pytest.fixture
def planted(reference_data):
    data = planted_province(reference_data)
    snapshot_refresh("2026Q2")
    data["snapshot"] = snapshot_refresh("2026Q3")
    return data


@pytest.fixture
def leader(planted):
    user = StaffFactory(unit=planted["province"], staff_no="LD1", name="省院领导").user
    role_assign(user=user, role=RoleAssignment.Role.LEADERSHIP)
    return user


@pytest.fixture
def g07_leader(planted):
    user = StaffFactory(
        unit=planted["units"]["G07"], staff_no="UL7", name="七院长"
    ).user
    role_assign(
        user=user, role=RoleAssignment.Role.UNIT_LEADER, unit=planted["units"]["G07"]
    )
    return user
