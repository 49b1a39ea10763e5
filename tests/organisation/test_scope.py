"""The scoping selector: who sees which units and people."""

import pytest

from organisation.models import RoleAssignment
from organisation.selectors import staff_visible_to, unit_get_visible, units_visible_to
from organisation.services import role_assign
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    return {
        code: StaffFactory(unit=tree[code], staff_no=f"P-{code}")
        for code in ("P", "C1", "G1", "G1-D1", "G2", "G3")
    }


def codes(queryset, field="code"):
    return sorted(queryset.values_list(field, flat=True))


def test_a_unit_leader_sees_their_subtree_only(unit_leader, people):
    assert codes(units_visible_to(unit_leader)) == ["G1", "G1-D1"]
    visible = codes(staff_visible_to(unit_leader), "staff_no")
    assert "P-G1" in visible and "P-G1-D1" in visible
    assert not {"P-G2", "P-G3", "P-C1", "P-P"} & set(visible)


def test_it_rejects_other_units_with_404(unit_leader, tree):
    from django.http import Http404

    assert unit_get_visible(unit_leader, code="G1-D1").code == "G1-D1"
    for other in ("G2", "C1", "P", "G3"):
        with pytest.raises(Http404):
            unit_get_visible(unit_leader, code=other)


def test_leadership_sees_the_whole_province(leadership, people):
    assert units_visible_to(leadership).count() == 7
    assert staff_visible_to(leadership).count() == len(people) + 1


def test_a_learner_sees_no_units_and_no_people(learner, people):
    assert not units_visible_to(learner).exists()
    assert not staff_visible_to(learner).exists()


def test_a_leader_of_two_units_sees_both_subtrees(tree, people):
    user = StaffFactory(unit=tree["G2"], staff_no="TWO").user
    role_assign(user=user, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G2"])
    role_assign(user=user, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G3"])
    assert codes(units_visible_to(user)) == ["G2", "G3"]


def test_a_unit_code_that_is_a_prefix_of_another_does_not_leak(tree):
    from tests.factories import UnitFactory

    lookalike = UnitFactory(
        code="G10", name="拾区院", level="grassroots", parent=tree["C1"]
    )
    StaffFactory(unit=lookalike, staff_no="LOOK")
    user = StaffFactory(unit=tree["G1"], staff_no="G1LEAD").user
    role_assign(user=user, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G1"])
    assert "G10" not in codes(units_visible_to(user))
    assert "LOOK" not in codes(staff_visible_to(user), "staff_no")


def test_inactive_staff_are_left_out_unless_asked_for(leadership, people):
    people["G1"].active = False
    people["G1"].save()
    assert "P-G1" not in codes(staff_visible_to(leadership), "staff_no")
    assert "P-G1" in codes(
        staff_visible_to(leadership, include_inactive=True), "staff_no"
    )
