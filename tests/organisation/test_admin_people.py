"""The admin's people list, a person's page and the users list beside the roster."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisation.services import role_assign
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/snippets/organisation/staffprofile/"


@pytest.fixture
def people(tree):
    lead = StaffFactory(
        unit=tree["G1-D1"], staff_no="J0101", name="张明", is_leader=True
    )
    role_assign(user=lead.user, role="unit_leader", unit=tree["G1"])
    return {
        "lead": lead,
        "clerk": StaffFactory(unit=tree["G3"], staff_no="J0202", name="赵亮"),
        "gone": StaffFactory(
            unit=tree["G2"], staff_no="J0303", name="钱离", active=False
        ),
    }


def test_the_people_list_shows_name_number_unit_path_leader_and_roles(
    client, admin_user, people
):
    client.force_login(admin_user)
    page = client.get(PEOPLE).content.decode()
    assert "张明" in page and "J0101" in page
    assert "省院 › 一市院 › 甲区院 › 第一检察部" in page
    assert "单位负责人" in page


def test_the_people_list_filters_by_subtree_role_leader_and_active(
    client, admin_user, people
):
    client.force_login(admin_user)

    def names(**params):
        page = client.get(PEOPLE, params).content.decode()
        return {n for n in ("张明", "赵亮", "钱离") if n in page}

    assert names(within="C1") == {"张明", "钱离"}
    assert names(role="unit_leader") == {"张明"}
    assert names(is_leader="true") == {"张明"}
    assert names(active="false") == {"钱离"}
    assert names(q="二市院") == {"赵亮"}


def test_the_people_list_keeps_its_query_count_as_the_roster_grows(
    client, admin_user, people, tree
):
    client.force_login(admin_user)
    client.get(PEOPLE)
    with CaptureQueriesContext(connection) as few:
        client.get(PEOPLE)
    for n in range(20):
        profile = StaffFactory(unit=tree["G2"], staff_no=f"N{n:03d}")
        role_assign(user=profile.user, role="trainer", unit=tree["G2"])
    with CaptureQueriesContext(connection) as many:
        client.get(PEOPLE)
    assert len(many) <= len(few)


def test_a_unit_leader_sees_only_their_subtree_in_the_people_list(client, people, tree):
    leader = people["lead"].user
    leader.is_staff = True
    leader.save()
    from django.contrib.auth.models import Permission

    leader.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_staffprofile"),
    )
    client.force_login(leader)
    page = client.get(PEOPLE).content.decode()
    assert "张明" in page and "赵亮" not in page
    zhao = people["clerk"]
    assert client.get(f"{PEOPLE}inspect/{zhao.pk}/").status_code == 404


def test_the_person_page_shows_account_roles_hours_campaigns_and_certificates(
    client, admin_user, people
):
    client.force_login(admin_user)
    page = client.get(f"{PEOPLE}inspect/{people['lead'].pk}/").content.decode()
    assert "省院 › 一市院 › 甲区院 › 第一检察部" in page
    assert 'id="person-account"' in page and "J0101" in page
    assert "可查看 甲区院 及其下属 1 个单位" in page
    assert 'id="person-hours"' in page and 'id="person-campaigns"' in page
    assert 'id="person-certificates"' in page


def test_the_person_page_is_refused_to_anonymous(client, people):
    response = client.get(f"{PEOPLE}inspect/{people['lead'].pk}/")
    assert response.status_code == 302


def test_the_users_list_shows_each_accounts_staff_profile(client, admin_user, people):
    get_user_model().objects.create_superuser("root", password="pw-12345678")
    client.force_login(admin_user)
    page = client.get("/admin/users/").content.decode()
    assert "J0101" in page and "省院 › 二市院 › 丙县院" in page
    assert "没有人员档案" in page  # the superuser "root" is on no roster row
    found = client.get("/admin/users/", {"q": "赵亮"}).content.decode()
    assert "J0202" in found and "J0101" not in found
