"""Granting roles by search in the admin: choosers, the role list and its scope words."""

import datetime as dt

import pytest
from django.urls import reverse

from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.factories import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

ROLES = "/admin/snippets/organisation/roleassignment/"


@pytest.fixture
def people(tree):
    return {
        "zhang": StaffFactory(unit=tree["G1-D1"], staff_no="J0101", name="张明"),
        "zhao": StaffFactory(unit=tree["G3"], staff_no="J0202", name="赵亮"),
    }


def test_the_person_chooser_finds_by_name_number_and_unit_and_shows_all_three(
    client, admin_user, people
):
    client.force_login(admin_user)
    url = reverse("person_chooser:choose_results")
    by_name = client.get(url, {"q": "张"}).content.decode()
    assert "张明" in by_name and "J0101" in by_name and "赵亮" not in by_name
    assert "省院 › 一市院 › 甲区院 › 第一检察部" in by_name
    by_unit = client.get(url, {"q": "丙县院"}).content.decode()
    assert "赵亮" in by_unit and "张明" not in by_unit
    both = client.get(url, {"q": "明 甲区院"}).content.decode()
    assert "张明" in both and "赵亮" not in both
    assert "赵亮" in client.get(url, {"q": "J0202"}).content.decode()


def test_the_unit_chooser_tells_same_named_departments_apart(client, admin_user, tree):
    UnitFactory(code="G3-D1", name="第一检察部", level="department", parent=tree["G3"])
    client.force_login(admin_user)
    page = client.get(
        reverse("unit_chooser:choose_results"), {"q": "第一检察部"}
    ).content.decode()
    assert "省院 › 一市院 › 甲区院 › 第一检察部" in page
    assert "省院 › 二市院 › 丙县院 › 第一检察部" in page
    assert (
        "G3-D1"
        in client.get(
            reverse("unit_chooser:choose_results"), {"q": "g3-d1"}
        ).content.decode()
    )


def test_choosers_are_refused_to_anonymous_and_empty_for_a_unit_leader_elsewhere(
    client, unit_leader, people
):
    url = reverse("person_chooser:choose_results")
    assert client.get(url, {"q": "赵"}).status_code == 302
    client.force_login(unit_leader)
    response = client.get(url, {"q": "赵"})
    assert "赵亮" not in response.content.decode()


def test_an_administrator_grants_a_unit_leader_role_through_the_form(
    client, admin_user, people, tree
):
    client.force_login(admin_user)
    response = client.post(
        ROLES + "add/",
        {
            "user": people["zhang"].user_id,
            "role": "unit_leader",
            "unit": tree["C1"].pk,
            "valid_from": "",
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = RoleAssignment.objects.get(user=people["zhang"].user)
    assert grant.unit.code == "C1"
    assert grant.user.groups.filter(name="Unit leaders").exists()


def test_the_form_refuses_a_province_wide_role_over_a_sub_unit(
    client, admin_user, people, tree
):
    client.force_login(admin_user)
    response = client.post(
        ROLES + "add/",
        {"user": people["zhao"].user_id, "role": "leadership", "unit": tree["C2"].pk},
    )
    assert response.status_code == 200 and not RoleAssignment.objects.exists()


def test_the_role_list_says_what_each_grant_covers_and_filters_by_subtree(
    client, admin_user, people, tree
):
    role_assign(user=people["zhang"].user, role="unit_leader", unit=tree["C1"])
    role_assign(user=people["zhao"].user, role="unit_leader", unit=tree["G3"])
    ended = role_assign(user=people["zhao"].user, role="trainer", unit=tree["C2"])
    ended.valid_to = dt.date(2020, 1, 31)
    ended.save()
    client.force_login(admin_user)
    page = client.get(ROLES).content.decode()
    assert "张明（J0101）" in page
    assert "可查看 一市院 及其下属 3 个单位" in page
    assert "2020年1月31日" in page
    within = client.get(ROLES, {"within": "C1"}).content.decode()
    assert "张明" in within and "赵亮" not in within
    assert "赵亮" in client.get(ROLES, {"role": "trainer"}).content.decode()
    assert "张明" not in client.get(ROLES, {"in_force": "false"}).content.decode()


def test_the_role_list_pager_reads_pages_not_class_hours(client, admin_user, tree):
    for n in range(55):
        profile = StaffFactory(unit=tree["G2"], staff_no=f"K{n:03d}")
        role_assign(user=profile.user, role="unit_leader", unit=tree["G2"])
    client.force_login(admin_user)
    page = client.get(ROLES).content.decode()
    assert "课时" not in page and "下一页" in page


def test_the_role_list_has_a_query_budget_that_does_not_grow(
    client, admin_user, tree, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for n in range(5):
        profile = StaffFactory(unit=tree["G2"], staff_no=f"M{n:03d}")
        role_assign(user=profile.user, role="unit_leader", unit=tree["G2"])
    client.get(ROLES)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(ROLES)
    for n in range(5, 30):
        profile = StaffFactory(unit=tree["G1"], staff_no=f"M{n:03d}")
        role_assign(user=profile.user, role="unit_leader", unit=tree["G1"])
    with django_assert_max_num_queries(len(few)):
        client.get(ROLES)


def test_the_role_list_is_refused_to_anonymous_and_to_a_unit_leader(
    client, unit_leader
):
    assert client.get(ROLES).status_code == 302
    client.force_login(unit_leader)
    assert client.get(ROLES).status_code in (302, 403)
