"""Attendance by code: within the time limit only, and only for the enrolled."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from hours.models import Attendance, CentralisedClass, ClassSession, Enrolment
from hours.services import HoursError, sign_in, sign_in_code_issue
from tests.factories import StaffFactory


@pytest.fixture
def setup(tree):
    enrolled = StaffFactory(unit=tree["G1"], staff_no="E1", rank_category="general")
    by_rule = StaffFactory(unit=tree["G1-D1"], staff_no="R1", rank_category="general")
    leader = StaffFactory(unit=tree["G1-D1"], staff_no="R2", rank_category="leading")
    outsider = StaffFactory(unit=tree["G3"], staff_no="X1")
    klass = CentralisedClass.objects.create(
        code="BJ-2",
        title="班",
        organiser=tree["C1"],
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 5),
        rule_rank_category="general",
    )
    klass.rule_units.add(tree["G1-D1"])
    Enrolment.objects.create(klass=klass, staff=enrolled)
    session = ClassSession.objects.create(
        klass=klass, on=dt.date(2026, 5, 1), hours=Decimal(4)
    )
    code = sign_in_code_issue(session=session, user=None, minutes=15)
    return {
        "enrolled": enrolled,
        "by_rule": by_rule,
        "leader": leader,
        "outsider": outsider,
        "code": code,
    }


@pytest.mark.django_db
def test_a_code_counts_within_its_time_and_once(setup):
    code = setup["code"]
    inside = code.created_at + dt.timedelta(minutes=14)
    sign_in(user=setup["enrolled"].user, code=code.code, now=inside)
    sign_in(user=setup["enrolled"].user, code=f" {code.code.lower()} ", now=inside)
    assert Attendance.objects.filter(staff=setup["enrolled"]).count() == 1


@pytest.mark.django_db
def test_an_expired_code_is_refused(setup):
    code = setup["code"]
    with pytest.raises(HoursError):
        sign_in(
            user=setup["enrolled"].user,
            code=code.code,
            now=code.created_at + dt.timedelta(minutes=15, seconds=1),
        )
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_a_new_code_ends_the_old_one(setup):
    old = setup["code"]
    sign_in_code_issue(session=old.session, user=None)
    with pytest.raises(HoursError):
        sign_in(user=setup["enrolled"].user, code=old.code, now=timezone.now())


@pytest.mark.django_db
def test_enrolment_by_rule_admits_only_matching_people(setup):
    now = setup["code"].created_at
    sign_in(user=setup["by_rule"].user, code=setup["code"].code, now=now)
    for name in ("leader", "outsider"):
        with pytest.raises(HoursError):
            sign_in(user=setup[name].user, code=setup["code"].code, now=now)
    assert Attendance.objects.count() == 1
