"""Every API endpoint × every role: the status each answers, and what each one sees.

The endpoints are read from the API's own OpenAPI schema, so a new endpoint fails
here until its row is added to MATRIX. Each operation has probes: a request with an
expected status per role (in ROLES order), and for lists the keys each scope sees.
Without a token, with a made-up or revoked token, or with the token of an inactive
account, every endpoint but the public certificate check answers 401.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from wagtail.models import APIToken

from api.api import api
from learning.models import CourseCompletion
from learning.services import certificate_issue
from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.api.conftest import TokenClient, token_for
from tests.campaigns.factories import complete
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "learner",
    "trainer",
    "training_head",
    "lapsed_leader",  # a unit leader whose grant has ended: a learner again
    "unit_leader",  # of G1 (G1 and G1-D1)
    "leadership",
    "administrator",
    "superuser",
)
# What each role may see of the province's people and units.
SCOPE = {
    "learner": "self",
    "trainer": "self",
    "training_head": "self",
    "lapsed_leader": "self",
    "unit_leader": "G1",
    "leadership": "all",
    "administrator": "all",
    "superuser": "all",
}
OWN_STAFF_NO = {"learner": "L0001", "lapsed_leader": "LL001"}

ALL_UNITS = {"P", "C1", "C2", "G1", "G2", "G3", "G1-D1"}
ROLE_HOLDERS = {"AM001", "AD001", "LD001", "TR001", "TH001", "UL001", "LL001"}
G1_STAFF = {"UL001", "LL001", "L0001", "S-G1", "S-G1-D1"}
ALL_STAFF = ROLE_HOLDERS | {"L0001", "S-G1", "S-G1-D1", "S-G2", "S-G3", "IN001"}
COMPLETED = {"S-G1-D1", "S-G3", "L0001"}

# Statuses per role in ROLES order.
#        lrn trn thd lap ul  ldr adm su
ANYONE = "200 200 200 200 200 200 200 200"
G1_ONLY = "404 404 404 404 200 200 200 200"
OUTSIDE_G1 = "404 404 404 404 404 200 200 200"
READERS = "403 403 403 403 200 200 200 200"
READERS_404 = "403 403 403 403 404 200 200 200"
READERS_NONE = "403 403 403 403 404 404 404 404"
ADMINS = "403 403 403 403 403 403 200 200"
NOWHERE = "404 404 404 404 404 404 404 404"


def results(key: str):
    return lambda body: {row[key] for row in body["results"]}


def actors(body) -> set[str]:
    return {s["actor"]["account"]["name"] for s in body["statements"]}


def gap_units(body) -> set[str]:
    return {cell["unit_code"] for cell in body["gaps"]}


def own(keys: set[str]) -> dict[str, set[str]]:
    """A learner's view of a list: their own rows."""
    return {role: keys & {number} for role, number in OWN_STAFF_NO.items()}


@dataclass
class Probe:
    method: str
    url: str
    statuses: str
    body: dict | None = None
    # For lists: what the answer holds, and the expected value per scope (or role).
    keys: object = None
    expect: dict = field(default_factory=dict)


def by_scope(all_: set, g1: set, self_: set = frozenset(), **roles) -> dict:
    return {"all": all_, "G1": g1, "self": set(self_), **roles}


NEW_PERSON = {
    "staff_no": "N0001",
    "name": "新人",
    "unit_code": "G2",
    "position": "书记员",
}
UPDATE = {"name": "丙县人", "unit_code": "G3", "position": "书记员"}
OFFLINE = {"staff_no": "S-G2", "course_code": "LAW-1", "completed_on": "2026-03-01"}
VALUE = {"unit_code": "G1", "indicator_code": "case_ratio", "value": 1.2}

MATRIX: dict[tuple[str, str], list[Probe]] = {
    ("GET", "/units/"): [
        Probe(
            "get",
            "/units/",
            ANYONE,
            keys=results("code"),
            expect=by_scope(ALL_UNITS, {"G1", "G1-D1"}),
        ),
        Probe(
            "get",
            "/units/?parent=C1",
            ANYONE,
            keys=results("code"),
            expect=by_scope({"G1", "G2"}, {"G1"}),
        ),
    ],
    ("GET", "/units/{code}/"): [
        Probe("get", "/units/G1-D1/", G1_ONLY),
        Probe("get", "/units/G3/", OUTSIDE_G1),
        Probe("get", "/units/NOPE/", NOWHERE),
    ],
    ("GET", "/staff/"): [
        Probe(
            "get",
            "/staff/",
            ANYONE,
            keys=results("staff_no"),
            expect=by_scope(ALL_STAFF, G1_STAFF),
        ),
        Probe(
            "get",
            "/staff/?unit=G1-D1",
            G1_ONLY,
            keys=results("staff_no"),
            expect=by_scope({"L0001", "S-G1-D1"}, {"L0001", "S-G1-D1"}),
        ),
        Probe("get", "/staff/?unit=G3", OUTSIDE_G1),
    ],
    ("PUT", "/staff/"): [
        Probe("put", "/staff/?dry_run=true", ADMINS, body={"rows": [NEW_PERSON]}),
    ],
    ("GET", "/staff/{staff_no}/"): [
        Probe("get", "/staff/S-G1-D1/", G1_ONLY),
        Probe("get", "/staff/S-G3/", OUTSIDE_G1),
        Probe("get", "/staff/NOPE/", NOWHERE),
    ],
    ("PUT", "/staff/{staff_no}/"): [
        Probe("put", "/staff/S-G3/?dry_run=true", ADMINS, body=UPDATE),
    ],
    ("GET", "/campaigns/"): [
        Probe(
            "get",
            "/campaigns/",
            READERS,
            keys=results("code"),
            expect=by_scope({"LAW-T"}, {"LAW-T"}),
        ),
    ],
    ("GET", "/campaigns/{code}/"): [
        Probe("get", "/campaigns/LAW-T/", READERS),
        Probe("get", "/campaigns/NOPE/", READERS_NONE),
    ],
    ("GET", "/campaigns/{code}/report/"): [
        Probe("get", "/campaigns/LAW-T/report/", READERS),
        Probe("get", "/campaigns/LAW-T/report/?unit=G1", READERS),
        Probe("get", "/campaigns/LAW-T/report/?unit=G3", READERS_404),
        Probe("get", "/campaigns/NOPE/report/", READERS_NONE),
    ],
    ("GET", "/completions/"): [
        Probe(
            "get",
            "/completions/",
            ANYONE,
            keys=results("staff_no"),
            expect=by_scope(COMPLETED, {"S-G1-D1", "L0001"}, **own(COMPLETED)),
        ),
    ],
    ("POST", "/completions/"): [
        Probe("post", "/completions/?dry_run=true", ADMINS, body={"rows": [OFFLINE]}),
    ],
    ("GET", "/hours/"): [
        Probe(
            "get",
            "/hours/?year=2026",
            READERS,
            keys=results("staff_no"),
            expect=by_scope(ALL_STAFF, G1_STAFF),
        ),
        Probe("get", "/hours/?year=2026&unit=G3", READERS_404),
    ],
    ("GET", "/certificates/{code}/"): [
        Probe("get", "/certificates/{certificate}/", ANYONE),
        Probe("get", "/certificates/NOPE123/", NOWHERE),
    ],
    ("POST", "/indicator-values/"): [
        Probe(
            "post",
            "/indicator-values/?dry_run=true",
            ADMINS,
            body={"period": "2026Q3", "rows": [VALUE]},
        ),
    ],
    ("GET", "/gaps/"): [
        Probe(
            "get",
            "/gaps/?period=2026Q3",
            READERS,
            keys=gap_units,
            expect=by_scope({"G1", "G2", "G3"}, {"G1"}),
        ),
        Probe("get", "/gaps/?period=1999Q1", READERS_NONE),
    ],
    ("GET", "/xapi/statements/"): [
        Probe(
            "get",
            "/xapi/statements/",
            ANYONE,
            keys=actors,
            expect=by_scope(COMPLETED, {"S-G1-D1", "L0001"}, **own(COMPLETED)),
        ),
    ],
}
PUBLIC = {("GET", "/certificates/{code}/")}


def schema_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema(path_prefix="")["paths"]
    return sorted(
        (method.upper(), path) for path, ops in paths.items() for method in ops
    )


@pytest.fixture
def world(
    tree,
    people,
    campaign,
    learner,
    trainer,
    unit_leader,
    leadership,
    administrator,
    admin_user,
    snapshot,
):
    head = StaffFactory(unit=tree["P"], staff_no="TH001", name="培训处长").user
    role_assign(user=head, role=RoleAssignment.Role.TRAINING_HEAD)
    lapsed = StaffFactory(unit=tree["G1"], staff_no="LL001", name="原院长").user
    grant = role_assign(
        user=lapsed, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G1"]
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    RoleAssignment.objects.filter(pk=grant.pk).update(
        valid_from=yesterday - dt.timedelta(days=365), valid_to=yesterday
    )
    complete(learner, campaign.course, timezone.localdate())
    certificate = certificate_issue(
        completion=CourseCompletion.objects.get(user=people["G3"].user)
    )
    users = {
        "learner": learner,
        "trainer": trainer,
        "training_head": head,
        "lapsed_leader": lapsed,
        "unit_leader": unit_leader,
        "leadership": leadership,
        "administrator": administrator,
        "superuser": admin_user,
    }
    # Tokens that must not open anything: revoked (of a leader), an inactive account's.
    instance, revoked = APIToken.create_token(user=leadership, name="revoked")
    instance.revoke()
    gone = StaffFactory(unit=tree["G2"], staff_no="IN001", name="已停用").user
    role_assign(user=gone, role=RoleAssignment.Role.LEADERSHIP)
    inactive = token_for(gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return {
        "clients": {role: TokenClient(token_for(user)) for role, user in users.items()},
        "refused": {
            "no token": TokenClient(None),
            "made-up token": TokenClient("wagtail_notarealtokenatall"),
            "revoked token": TokenClient(revoked),
            "inactive account": TokenClient(inactive),
        },
        "certificate": certificate.code,
    }


def call(client: TokenClient, probe: Probe, certificate: str):
    url = "/api/v1" + probe.url.replace("{certificate}", certificate)
    if probe.method == "get":
        return client.get(url)
    return getattr(client, probe.method)(url, probe.body or {})


def test_every_endpoint_of_the_schema_has_a_row():
    assert set(schema_operations()) == set(MATRIX)


@pytest.mark.parametrize(
    "operation", schema_operations(), ids=lambda op: f"{op[0]} {op[1]}"
)
def test_each_role_gets_its_status_and_scope(world, operation):
    assert operation in MATRIX, f"add {operation} to MATRIX"
    wrong = []
    for probe in MATRIX[operation]:
        expected = dict(zip(ROLES, map(int, probe.statuses.split()), strict=True))
        for role, client in world["clients"].items():
            response = call(client, probe, world["certificate"])
            if response.status_code != expected[role]:
                wrong.append((probe.url, role, expected[role], response.status_code))
            elif probe.keys is not None and response.status_code == 200:
                want = probe.expect.get(role, probe.expect[SCOPE[role]])
                seen = probe.keys(response.json())
                if seen != want:
                    wrong.append((probe.url, role, sorted(want), sorted(seen)))
    assert wrong == []


@pytest.mark.parametrize(
    "operation", schema_operations(), ids=lambda op: f"{op[0]} {op[1]}"
)
def test_no_valid_token_opens_nothing(world, operation):
    wrong = []
    for probe in MATRIX[operation]:
        for label, client in world["refused"].items():
            response = call(client, probe, world["certificate"])
            if operation in PUBLIC:
                # Verification is public: these requests are simply anonymous.
                expected = int(probe.statuses.split()[0])
            else:
                expected = 401
                if response.status_code == 401:
                    assert response.json() == {"detail": "Unauthorized"}
            if response.status_code != expected:
                wrong.append((probe.url, label, expected, response.status_code))
    assert wrong == []
