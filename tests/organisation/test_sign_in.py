import re

import pytest
from django.test import override_settings

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(tree):
    profile = StaffFactory(unit=tree["G1"], staff_no="J777", name="王七")
    profile.user.username = "wangqi"
    profile.user.set_password("pass12345")
    profile.user.save()
    return profile


def test_people_sign_in_with_their_staff_number(client, person):
    response = client.post(
        "/accounts/login/", {"username": "J777", "password": "pass12345"}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == person.user


def test_people_sign_in_with_their_account_name(client, person):
    response = client.post(
        "/accounts/login/", {"username": "wangqi", "password": "pass12345"}
    )
    assert response.status_code == 302


def test_a_wrong_password_is_refused_with_a_clear_message(client, person):
    response = client.post("/accounts/login/", {"username": "J777", "password": "nope"})
    assert response.status_code == 200
    assert "工号或密码不正确" in response.content.decode()


def test_an_inactive_person_cannot_sign_in(client, person):
    person.active = False
    person.save()
    response = client.post(
        "/accounts/login/", {"username": "J777", "password": "pass12345"}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_are_throttled_even_with_the_right_password(client, person):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "J777", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "J777", "password": "pass12345"}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_sign_out_needs_a_post(client, person):
    client.post("/accounts/login/", {"username": "J777", "password": "pass12345"})
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_password_change_requires_sign_in(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_language_choice_is_remembered(client, reference_data):
    assert "检察教育培训平台" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Procuratorate Training Platform" in client.get("/").content.decode()


def test_the_admin_sign_in_page_speaks_chinese_and_takes_staff_numbers(client, person):
    from organisation.models import RoleAssignment
    from organisation.services import role_assign

    role_assign(user=person.user, role=RoleAssignment.Role.TRAINER)
    page = client.get("/admin/login/").content.decode()
    assert "登录培训平台管理后台" in page and "培训平台管理后台</title>" in page
    label = re.search(r'<label[^>]*for="id_password"[^>]*>\s*([^<]+)<', page)
    assert label and label.group(1).strip() == "密码"
    assert "工号或账号" in page
    assert "Password" not in page and "Wagtail</title>" not in page

    response = client.post(
        "/admin/login/", {"username": "J777", "password": "pass12345"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_each_request_loads_the_user_and_profile_in_one_query(
    person, django_assert_num_queries
):
    from organisation.backends import StaffNumberBackend

    with django_assert_num_queries(1):
        user = StaffNumberBackend().get_user(person.user.pk)
        assert user.profile.staff_no == "J777"
    person.active = False
    person.save()
    assert StaffNumberBackend().get_user(person.user.pk) is None
    assert StaffNumberBackend().get_user(10**9) is None


def test_the_signed_in_user_read_matches_the_orm(person, django_assert_num_queries):
    """The plain-SQL read returns the same user and profile values as the ORM, for a
    session's string id too, and knows when a user has no profile."""
    from django.contrib.auth.models import User
    from django.forms.models import model_to_dict

    from organisation.backends import StaffNumberBackend

    backend = StaffNumberBackend()
    expected = User.objects.select_related("profile").get(pk=person.user.pk)
    user = backend.get_user(str(person.user.pk))
    with django_assert_num_queries(0):
        many = ["groups", "user_permissions", "business_lines"]
        assert model_to_dict(user, exclude=many) == model_to_dict(
            expected, exclude=many
        )
        assert model_to_dict(user.profile, exclude=many) == (
            model_to_dict(expected.profile, exclude=many)
        )
        assert user.profile.user is user
        assert user.last_login == expected.last_login
        assert user.profile.updated_at == expected.profile.updated_at
    admin = User.objects.create_user("no-profile", password="x", is_staff=True)
    loaded = backend.get_user(admin.pk)
    with django_assert_num_queries(0):
        assert loaded.username == "no-profile" and not hasattr(loaded, "profile")
    assert backend.get_user("not-a-number") is None


def test_the_signed_in_user_read_brings_the_permissions(
    person, django_assert_num_queries
):
    """The user read also brings the user's own and group permissions, as ModelBackend
    would load them: has_perm (the navigation asks it on every page) needs no query."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Group, Permission, User

    from organisation.backends import StaffNumberBackend

    backend = StaffNumberBackend()
    user = backend.get_user(person.user.pk)
    with django_assert_num_queries(0):
        assert user.get_all_permissions() == set()
        assert not user.has_perm("wagtailadmin.access_admin")

    access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    editors = Group.objects.create(name="审核组")
    editors.permissions.add(access, Permission.objects.get(codename="change_user"))
    person.user.groups.add(editors)
    person.user.user_permissions.add(Permission.objects.get(codename="add_group"))
    user = backend.get_user(person.user.pk)
    expected = ModelBackend()
    fresh = User.objects.get(pk=person.user.pk)
    with django_assert_num_queries(0):
        assert user.has_perm("wagtailadmin.access_admin")
        assert user.has_perm("auth.add_group") and user.has_perm("auth.change_user")
        assert not user.has_perm("auth.delete_user")
        own, via_groups = user.get_user_permissions(), user.get_group_permissions()
    assert own == expected.get_user_permissions(fresh) == {"auth.add_group"}
    assert via_groups == expected.get_group_permissions(fresh)
    assert via_groups == {"wagtailadmin.access_admin", "auth.change_user"}


def test_the_signed_in_user_read_brings_the_roles_in_force(
    person, tree, django_assert_num_queries
):
    """The navigation asks for the user's roles on every page: they come with the user
    read, exactly the grants ``in_force`` finds (expired and future ones left out)."""
    import datetime as dt

    from django.utils import timezone

    from organisation import permissions
    from organisation.backends import StaffNumberBackend
    from organisation.models import RoleAssignment

    backend = StaffNumberBackend()
    user = backend.get_user(person.user.pk)
    with django_assert_num_queries(0):
        assert not permissions.can_view_reports(user)
        assert not permissions.is_trainer(user)

    today = timezone.localdate()
    day = dt.timedelta(days=1)
    Role = RoleAssignment.Role
    RoleAssignment.objects.create(
        user=person.user, role=Role.UNIT_LEADER, unit=tree["G1"]
    )
    RoleAssignment.objects.create(user=person.user, role=Role.LEADERSHIP)
    RoleAssignment.objects.create(
        user=person.user, role=Role.TRAINER, unit=tree["C2"], valid_to=today - day
    )
    RoleAssignment.objects.create(
        user=person.user, role=Role.ADMINISTRATOR, valid_from=today + day
    )
    RoleAssignment.objects.create(
        user=person.user,
        role=Role.TRAINER,
        unit=tree["G3"],
        valid_from=today,
        valid_to=today,
    )
    user = backend.get_user(person.user.pk)
    expected = sorted(
        RoleAssignment.objects.in_force()
        .filter(user=person.user)
        .values_list("role", "unit__path"),
        key=str,
    )
    with django_assert_num_queries(0):
        assert sorted(permissions._roles(user), key=str) == expected
        assert permissions.is_leadership(user) and permissions.is_trainer(user)
        assert not permissions.is_administrator(user)
    assert len(expected) == 3
