import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hours.models import CentralisedClass, ClassSession, Enrolment, LedgerEntry
from hours.services import manual_entry_add
from tests.factories import StaffFactory

YEAR = timezone.localdate().year


@pytest.fixture
def people(tree):
    mine = StaffFactory(unit=tree["G1-D1"], staff_no="M1", name="甲学员")
    other = StaffFactory(unit=tree["G3"], staff_no="O1", name="丙学员")
    for staff in (mine, other):
        manual_entry_add(
            staff=staff,
            on=dt.date(YEAR, 1, 2),
            hours=Decimal(12),
            kind="online",
            title="补录课程",
            reason="纸质证书",
            user=None,
        )
    return mine, other


@pytest.fixture
def klass(tree, people):
    c = CentralisedClass.objects.create(
        code="BJ-1",
        title="业务骨干培训班",
        organiser=tree["G1"],
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR, 12, 31),
    )
    Enrolment.objects.create(klass=c, staff=people[0])
    session = ClassSession.objects.create(
        klass=c, on=dt.date(YEAR, 1, 3), hours=Decimal("7.5")
    )
    return c, session


PAGES = [
    ("hours:mine", ()),
    ("hours:my_archive", ()),
    ("hours:sign_in", ()),
    ("hours:classes", ()),
    ("hours:report_home", ()),
    ("hours:report", ("G1",)),
    ("hours:report_file", ("G1", "csv")),
    ("hours:upward", ("G1",)),
    ("hours:person_archive", ("M1",)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, tree, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_my_hours_lists_the_ledger_and_progress(client, people):
    client.force_login(people[0].user)
    response = client.get(reverse("hours:mine"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "补录课程" in text
    assert "12 / 50" in text.replace("<strong>", "").replace("</strong>", "")


@pytest.mark.django_db
def test_my_record_is_a_pdf(client, people):
    client.force_login(people[0].user)
    response = client.get(reverse("hours:my_archive"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_unit_leader_sees_their_subtree_only(client, people, unit_leader):
    client.force_login(unit_leader)
    page = client.get(reverse("hours:report", args=["G1"]), {"show": "all"})
    assert page.status_code == 200
    assert "甲学员" in page.content.decode()
    assert "丙学员" not in page.content.decode()
    assert client.get(reverse("hours:report", args=["G3"])).status_code == 404
    assert client.get(reverse("hours:report", args=["P"])).status_code == 404
    assert (
        client.get(reverse("hours:report_file", args=["G3", "csv"])).status_code == 404
    )
    assert client.get(reverse("hours:upward", args=["C2"])).status_code == 404
    other = reverse("hours:person_archive", args=["O1"])
    assert client.get(other).status_code == 404
    mine = client.get(reverse("hours:person_archive", args=["M1"]))
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_learner_cannot_open_the_report(client, people):
    client.force_login(people[0].user)
    assert client.get(reverse("hours:report", args=["G1"])).status_code == 403
    assert client.get(reverse("hours:classes")).status_code == 403


@pytest.mark.django_db
def test_report_files_hold_the_scope(client, people, unit_leader):
    client.force_login(unit_leader)
    csv = b"".join(
        client.get(reverse("hours:report_file", args=["G1", "csv"])).streaming_content
    ).decode("utf-8-sig")
    assert "M1" in csv and "O1" not in csv
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(reverse("hours:report_file", args=["G1", fmt]))
        assert response.status_code == 200 and response.content.startswith(magic)
    up = client.get(reverse("hours:upward", args=["G1"]))
    assert up.content.startswith(b"PK")


@pytest.mark.django_db
def test_the_organiser_shows_a_code_and_the_enrolled_learner_signs_in(
    client, people, klass, unit_leader
):
    _, session = klass
    client.force_login(unit_leader)
    client.post(reverse("hours:session_code", args=[session.pk]))
    page = client.get(reverse("hours:session_code", args=[session.pk]))
    code = page.context["current"].code
    assert code in page.content.decode()
    qr = client.get(reverse("hours:code_qr", args=[session.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content

    client.force_login(people[0].user)
    response = client.post(reverse("hours:sign_in"), {"code": code.lower()})
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(staff=people[0], source="class")
    assert (entry.hours, entry.kind) == (Decimal("7.5"), "centralised")


@pytest.mark.django_db
def test_an_organiser_of_another_unit_cannot_show_the_code(client, klass, tree):
    from organisation.models import RoleAssignment
    from organisation.services import role_assign

    outsider = StaffFactory(unit=tree["G3"], staff_no="X9").user
    role_assign(user=outsider, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G3"])
    client.force_login(outsider)
    _, session = klass
    assert (
        client.post(reverse("hours:session_code", args=[session.pk])).status_code == 404
    )
    assert client.get(reverse("hours:code_qr", args=[session.pk])).status_code == 404


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_report_page_has_a_query_budget_that_does_not_grow(
    client, people, leadership, tree
):
    client.force_login(leadership)
    url = reverse("hours:report", args=["P"]) + "?show=all"
    _queries(client, url)  # the first request also loads the session and the site
    small = _queries(client, url)
    for n in range(30):
        StaffFactory(unit=tree["G2"], staff_no=f"Q{n:03d}")
    assert _queries(client, url) == small


@pytest.mark.django_db
def test_the_unit_table_adds_up_with_the_units_own_staff(client, people, unit_leader):
    StaffFactory(unit=people[0].unit.parent, staff_no="M2", name="乙学员")
    client.force_login(unit_leader)
    response = client.get(reverse("hours:report", args=["G1"]))
    children, own = response.context["children"], response.context["own"]
    assert own is not None and own["headcount"] >= 1
    total = response.context["report"].summary["headcount"]
    assert sum(c["headcount"] for c in children) + own["headcount"] == total
    assert "本级机关直属人员" in response.content.decode()
