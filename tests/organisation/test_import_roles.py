"""import_roles: grants from a file, all-or-nothing, with periods that end by themselves."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from organisation.models import ImportAudit, RoleAssignment
from organisation.permissions import user_scope_paths
from organisation.selectors import staff_visible_to, units_visible_to
from organisation.services import role_groups_sync
from tests.factories import StaffFactory
from tests.organisation.helpers import run_command, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    return {
        "chief": StaffFactory(unit=tree["C1"], staff_no="R001", name="王主任"),
        "clerk": StaffFactory(unit=tree["G3"], staff_no="R002", name="赵书记员"),
        "gone": StaffFactory(unit=tree["G2"], staff_no="R003", active=False),
    }


def grants_of(profile):
    return sorted(
        (a.role, a.unit.code if a.unit else None, a.valid_to)
        for a in RoleAssignment.objects.filter(user=profile.user)
    )


def test_it_grants_a_unit_leader_the_subtree_of_the_unit(tmp_path, people):
    path = write_csv(
        tmp_path / "r.csv", "staff_no,role,unit_code\nR001,unit_leader,C1\n"
    )
    code, summary, _err = run_command("import_roles", path)
    assert code == 0 and summary["created"] == 1
    chief = people["chief"].user
    assert sorted(units_visible_to(chief).values_list("code", flat=True)) == [
        "C1",
        "G1",
        "G1-D1",
        "G2",
    ]
    assert "R002" not in staff_visible_to(chief).values_list("staff_no", flat=True)
    assert chief.groups.filter(name="Unit leaders").exists()
    audit = ImportAudit.objects.get(kind="roles")
    assert audit.summary["created"] == 1 and audit.via == "command"


def test_chinese_headers_and_role_names_are_accepted_and_reimport_changes_nothing(
    tmp_path, people
):
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [
            ["工号", "角色", "单位代码"],
            ["R001", "单位负责人", "C1"],
            ["R002", "领导", "P"],
        ],
    )
    assert run_command("import_roles", path)[1]["created"] == 2
    assert grants_of(people["clerk"]) == [("leadership", None, None)]
    code, summary, _err = run_command("import_roles", path)
    assert code == 0 and summary["unchanged"] == 2 and summary["created"] == 0


def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(tmp_path, people):
    text = (
        "staff_no,role,unit_code,valid_from,valid_to\n"
        "R001,unit_leader,C1,,\n"
        "R002,leadership,C2,,\n"
        "R003,trainer,G2,,\n"
        "R001,trainer,G1,2026-05-01,2026-04-01\n"
        "NOBODY,trainer,G1,,\n"
        "R002,chef,G1,,\n"
    )
    code, summary, err = run_command(
        "import_roles", write_csv(tmp_path / "r.csv", text)
    )
    assert code == 1 and summary["error_count"] == 5
    located = {(e["row"], e["column"]) for e in summary["errors"]}
    assert located == {
        (3, "unit_code"),
        (4, "staff_no"),
        (5, "valid_to"),
        (6, "staff_no"),
        (7, "role"),
    }
    assert not RoleAssignment.objects.exists()


def test_a_dry_run_previews_and_writes_nothing(tmp_path, people):
    path = write_csv(tmp_path / "r.csv", "staff_no,role,unit_code\nR001,trainer,G1\n")
    code, summary, _err = run_command("import_roles", path, "--dry-run")
    assert code == 0 and summary["created"] == 1 and summary["dry_run"] is True
    assert summary["changes"][0]["key"] == "R001 · trainer · G1"
    assert not RoleAssignment.objects.exists() and not ImportAudit.objects.exists()


def test_an_absent_period_column_leaves_the_stored_period_alone(tmp_path, people):
    with_end = "staff_no,role,unit_code,valid_to\nR001,unit_leader,C1,2030-12-31\n"
    run_command("import_roles", write_csv(tmp_path / "a.csv", with_end))
    without = "staff_no,role,unit_code\nR001,unit_leader,C1\n"
    code, summary, _err = run_command(
        "import_roles", write_csv(tmp_path / "b.csv", without)
    )
    assert summary["unchanged"] == 1
    assert grants_of(people["chief"]) == [("unit_leader", "C1", dt.date(2030, 12, 31))]
    cleared = "staff_no,role,unit_code,valid_to\nR001,unit_leader,C1,\n"
    code, summary, _err = run_command(
        "import_roles", write_csv(tmp_path / "c.csv", cleared)
    )
    assert summary["updated"] == 1
    assert grants_of(people["chief"]) == [("unit_leader", "C1", None)]


def test_a_learner_row_is_accepted_and_grants_nothing(tmp_path, people):
    path = write_csv(tmp_path / "r.csv", "staff_no,role,unit_code\nR002,学员,G3\n")
    code, summary, _err = run_command("import_roles", path)
    assert code == 0 and summary["unchanged"] == 1 and summary["warnings"]
    assert not RoleAssignment.objects.exists()


def test_an_expired_grant_stops_granting_by_itself(people, tree):
    chief = people["chief"].user
    yesterday = dt.date.today() - dt.timedelta(days=1)
    RoleAssignment.objects.create(
        user=chief, role="unit_leader", unit=tree["C1"], valid_to=yesterday
    )
    assert user_scope_paths(chief) == []
    assert not units_visible_to(chief).exists()


def test_a_grant_in_force_includes_its_last_day_and_not_before_its_first(people, tree):
    chief = people["chief"].user
    today = dt.date.today()
    grant = RoleAssignment.objects.create(
        user=chief, role="unit_leader", unit=tree["G1"], valid_to=today
    )
    assert units_visible_to(chief).filter(code="G1").exists()
    grant.valid_from = today + dt.timedelta(days=1)
    grant.valid_to = None
    grant.save()
    chief = type(chief).objects.get(pk=chief.pk)  # a new request: no cached roles
    assert not units_visible_to(chief).exists()


def test_the_daily_sweep_takes_away_the_group_of_an_ended_grant(people, tree):
    chief = people["chief"].user
    trainers = Group.objects.get(name="Trainers")
    manual = people["clerk"].user
    manual.groups.add(trainers)  # given by hand, no grant: left alone
    grant = RoleAssignment.objects.create(user=chief, role="trainer", unit=tree["C1"])
    role_groups_sync()
    assert chief.groups.filter(pk=trainers.pk).exists()
    grant.valid_to = dt.date.today() - dt.timedelta(days=1)
    grant.save()
    from organisation.tasks import role_groups_expire

    role_groups_expire()
    assert not chief.groups.filter(pk=trainers.pk).exists()
    assert manual.groups.filter(pk=trainers.pk).exists()
