"""Sign-in against a real OpenLDAP server (slapd) started for these tests."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory, override_settings

from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.factories import StaffFactory

pytest.importorskip("django_auth_ldap", reason="requirements-ldap.txt is not installed")

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
SUFFIX = "dc=jcy,dc=test"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(SLAPD).exists() or not shutil.which("ldapadd"),
        reason="slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)",
    ),
]

PEOPLE = [
    # uid, staff number, password
    ("zhangsan", "L0101", "dir-pass-1"),
    ("stranger", "X9999", "dir-pass-2"),
    ("leaver", "L0102", "dir-pass-3"),
    ("nonumber", "", "dir-pass-4"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _entries() -> str:
    blocks = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\n"
        "o: jcy\ndc: jcy\n",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
    ]
    for uid, number, password in PEOPLE:
        block = (
            f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\n"
            f"uid: {uid}\ncn: {uid}\nsn: {uid}\nuserPassword: {password}\n"
        )
        if number:
            block += f"employeeNumber: {number}\n"
        blocks.append(block)
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    home = tmp_path_factory.mktemp("slapd")
    (home / "data").mkdir()
    port = _free_port()
    (home / "slapd.conf").write_text(
        "\n".join(
            [
                *(
                    f"include {SCHEMA / name}.schema"
                    for name in ("core", "cosine", "inetorgperson")
                ),
                f"modulepath {MODULES}",
                "moduleload back_mdb",
                f"pidfile {home / 'slapd.pid'}",
                "database mdb",
                f'suffix "{SUFFIX}"',
                f'rootdn "cn=admin,{SUFFIX}"',
                "rootpw admin-secret",
                f"directory {home / 'data'}",
                "",
            ]
        )
    )
    url = f"ldap://127.0.0.1:{port}"
    server = subprocess.Popen(
        [SLAPD, "-d", "0", "-h", f"{url}/", "-f", str(home / "slapd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        loaded = None
        for _ in range(50):
            loaded = subprocess.run(
                ["ldapadd", "-x", "-H", url, "-D", f"cn=admin,{SUFFIX}"]
                + ["-w", "admin-secret"],
                input=_entries().encode(),
                capture_output=True,
            )
            if loaded.returncode == 0:
                break
            time.sleep(0.2)
        assert loaded is not None and loaded.returncode == 0, loaded.stderr
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def ldap_settings(slapd):
    import ldap
    from django_auth_ldap.config import LDAPSearch

    with override_settings(
        AUTH_LDAP_SERVER_URI=slapd,
        AUTH_LDAP_USER_SEARCH=LDAPSearch(
            f"ou=people,{SUFFIX}",
            ldap.SCOPE_SUBTREE,
            "(|(uid=%(user)s)(employeeNumber=%(user)s))",
        ),
        AUTHENTICATION_BACKENDS=[
            "axes.backends.AxesStandaloneBackend",
            "organisation.ldap.RosterLDAPBackend",
            "organisation.backends.StaffNumberBackend",
        ],
    ):
        yield


@pytest.fixture
def roster(tree):
    on = StaffFactory(unit=tree["G1"], staff_no="L0101", name="张三")
    role_assign(user=on.user, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G1"])
    StaffFactory(unit=tree["G1"], staff_no="L0102", name="李四", active=False)
    return on


def sign_in(username: str, password: str):
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=username, password=password)


def test_a_person_on_the_roster_signs_in_with_the_directory_password(
    client, ldap_settings, roster
):
    response = client.post(
        "/accounts/login/", {"username": "zhangsan", "password": "dir-pass-1"}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == roster.user


def test_the_staff_number_works_as_the_sign_in_name(client, ldap_settings, roster):
    response = client.post(
        "/accounts/login/", {"username": "L0101", "password": "dir-pass-1"}
    )
    assert response.status_code == 302


def test_roles_stay_those_of_the_platform(ldap_settings, roster):
    user = sign_in("zhangsan", "dir-pass-1")
    assert user == roster.user
    assert list(user.roles.values_list("role", flat=True)) == ["unit_leader"]
    user.refresh_from_db()
    roster.refresh_from_db()
    assert roster.name == "张三"  # the directory's cn never overwrites the roster


def test_a_wrong_directory_password_is_refused(client, ldap_settings, roster):
    response = client.post(
        "/accounts/login/", {"username": "zhangsan", "password": "wrong"}
    )
    assert response.status_code == 200
    assert sign_in("zhangsan", "wrong") is None


def test_nobody_off_the_roster_gets_an_account(ldap_settings, roster):
    users = get_user_model().objects.count()
    assert sign_in("stranger", "dir-pass-2") is None
    assert sign_in("nonumber", "dir-pass-4") is None
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(username="stranger").exists()


def test_a_leaver_cannot_sign_in(ldap_settings, roster):
    assert sign_in("leaver", "dir-pass-3") is None


def test_platform_passwords_still_work_for_accounts_outside_the_directory(
    client, ldap_settings, tree
):
    admin = StaffFactory(unit=tree["P"], staff_no="AD9", name="管理员").user
    admin.set_password("platform-pass")
    admin.save()
    assert sign_in("AD9", "platform-pass") == admin
