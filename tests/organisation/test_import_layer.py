"""Absent columns stay untouched, Chinese headers, units in any order, accounts."""

import pytest
from django.contrib.auth import get_user_model

from organisation.models import StaffProfile, Unit
from tests.organisation.helpers import run_command, write_csv

pytestmark = pytest.mark.django_db

FULL = (
    "staff_no,name,unit_code,position,business_lines,is_leader,email,hired_on,"
    "active,rank_category\n"
    "J001,张三,G1,检察长,civil,1,z3@example.cn,2020-03-01,1,县处级以上\n"
    "J002,李四,G1-D1,书记员,,0,l4@example.cn,2021-05-06,0,乡科级\n"
)


def _snapshot():
    return {
        p.staff_no: (
            p.position,
            p.is_leader,
            p.email,
            p.hired_on,
            p.active,
            p.rank_category,
            sorted(p.business_lines.values_list("code", flat=True)),
            p.user.is_active,
        )
        for p in StaffProfile.objects.select_related("user")
    }


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_file_with_only_the_required_columns_keeps_every_other_field(
    tmp_path, tree, encoding
):
    assert run_command("import_staff", write_csv(tmp_path / "a.csv", FULL))[0] == 0
    before = _snapshot()
    assert before["J001"][1] is True and before["J002"][4] is False
    partial = "工号,姓名,单位代码\nJ001,张三丰,G1\nJ002,李四,G1-D1\n"
    code, summary, _err = run_command(
        "import_staff", write_csv(tmp_path / "b.csv", partial, encoding)
    )
    assert code == 0
    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    assert _snapshot() == before
    assert StaffProfile.objects.get(staff_no="J001").name == "张三丰"
    assert StaffProfile.objects.get(staff_no="J001").rank_category == "leading"


def test_an_empty_cell_clears_only_where_the_column_allows_it(tmp_path, tree):
    run_command("import_staff", write_csv(tmp_path / "a.csv", FULL))
    text = "工号,姓名,单位代码,电子邮箱,是否领导干部,是否在职\nJ001,张三,G1,,,\n"
    code, _summary, _err = run_command(
        "import_staff", write_csv(tmp_path / "b.csv", text)
    )
    assert code == 0
    person = StaffProfile.objects.get(staff_no="J001")
    assert person.email == ""  # e-mail: an empty cell clears
    assert person.is_leader is True and person.active is True  # flags: untouched


def test_the_dry_run_json_lists_each_change_with_old_and_new_values(tmp_path, tree):
    run_command("import_staff", write_csv(tmp_path / "a.csv", FULL))
    text = "工号,姓名,单位代码,是否领导干部\nJ001,张三,G2,0\nJ003,王五,G3,0\n"
    path = write_csv(tmp_path / "b.csv", text)
    code, preview, _err = run_command("import_staff", path, "--dry-run")
    assert code == 0
    assert (preview["created"], preview["updated"]) == (1, 1)
    [change] = [c for c in preview["changes"] if c["action"] == "updated"]
    assert change["key"] == "J001"
    assert change["fields"] == {"unit_code": ["G1", "G2"], "is_leader": [1, 0]}
    assert StaffProfile.objects.get(staff_no="J001").unit.code == "G1"

    code, applied, _err = run_command("import_staff", path)
    assert applied["changes"] == preview["changes"]
    person = StaffProfile.objects.get(staff_no="J001")
    assert (person.unit.code, person.is_leader) == ("G2", False)


def test_leavers_leave_only_with_deactivate_missing_which_is_previewed(tmp_path, tree):
    run_command(
        "import_staff", write_csv(tmp_path / "a.csv", FULL.replace(",0,乡", ",1,乡"))
    )
    only_one = write_csv(tmp_path / "b.csv", "工号,姓名,单位代码\nJ001,张三,G1\n")
    run_command("import_staff", only_one)
    assert StaffProfile.objects.get(staff_no="J002").active is True

    code, preview, _err = run_command(
        "import_staff", only_one, "--deactivate-missing", "--dry-run"
    )
    assert code == 0 and preview["deactivated"] == 1
    assert StaffProfile.objects.get(staff_no="J002").active is True
    run_command("import_staff", only_one, "--deactivate-missing")
    leaver = StaffProfile.objects.get(staff_no="J002")
    assert leaver.active is False and leaver.user.is_active is False


def test_removing_most_leader_flags_needs_a_second_confirmation(tmp_path, tree):
    rows = "".join(f"K{i:03},人员{i},G1,1\n" for i in range(10))
    run_command(
        "import_staff",
        write_csv(tmp_path / "a.csv", "工号,姓名,单位代码,是否领导干部\n" + rows),
    )
    lose = write_csv(
        tmp_path / "b.csv",
        "工号,姓名,单位代码,是否领导干部\n" + rows.replace(",1\n", ",0\n"),
    )
    code, preview, _err = run_command("import_staff", lose, "--dry-run")
    assert code == 0 and preview["needs_confirmation"] is True
    code, _summary, err = run_command("import_staff", lose)
    assert code == 1 and "请再次确认" in err
    assert StaffProfile.objects.filter(is_leader=True).count() == 10
    code, _summary, _err = run_command("import_staff", lose, "--confirm-large-changes")
    assert code == 0 and not StaffProfile.objects.filter(is_leader=True).exists()


def test_a_staff_number_naming_an_existing_account_is_refused_unless_confirmed(
    tmp_path, tree
):
    admin = get_user_model().objects.create_superuser("admin", password="pw-12345678")
    path = write_csv(tmp_path / "a.csv", "工号,姓名,单位代码\nadmin,冒名者,G1\n")
    code, _summary, err = run_command("import_staff", path)
    assert code == 1
    assert "第 2 行 staff_no: 已存在名为“admin”的账号" in err
    assert not StaffProfile.objects.exists()
    admin.refresh_from_db()
    assert admin.is_active and admin.check_password("pw-12345678")

    code, _summary, _err = run_command("import_staff", path, "--bind-existing-accounts")
    assert code == 0
    assert StaffProfile.objects.get(staff_no="admin").user == admin


def test_an_impossible_date_is_named_as_such(tmp_path, tree):
    text = "工号,姓名,单位代码,入职日期\nJ001,张三,G1,2023-02-31\n"
    code, _summary, err = run_command(
        "import_staff", write_csv(tmp_path / "a.csv", text)
    )
    assert code == 1
    assert "第 2 行 hired_on: “2023-02-31”不是一个存在的日期" in err


def test_units_import_in_any_order_with_chinese_headers(tmp_path):
    text = (
        "单位代码,单位名称,上级单位代码,层级\n"
        "G1-D1,第一检察部,G1,department\n"
        "G1,甲区院,C1,基层院\n"
        "C1,一市院,P,市级\n"
        "P,省院,,province\n"
    )
    code, summary, _err = run_command(
        "import_units", write_csv(tmp_path / "u.csv", text)
    )
    assert code == 0 and summary["created"] == 4
    assert Unit.objects.get(code="G1-D1").path == "P/C1/G1/G1-D1/"


def test_a_cycle_inside_the_file_is_named_as_a_cycle(tmp_path):
    text = "code,name,parent_code,level\nP,省院,,province\nA,甲,B,city\nB,乙,A,city\n"
    code, _summary, err = run_command(
        "import_units", write_csv(tmp_path / "u.csv", text)
    )
    assert code == 1
    assert "形成了循环：A → B → A" in err
    assert "未知单位" not in err


def test_a_units_file_without_business_line_keeps_the_stored_line(tmp_path):
    full = (
        "code,name,parent_code,level,business_line\n"
        "P,省院,,province,\nG1,甲院,P,grassroots,civil\n"
    )
    run_command("import_units", write_csv(tmp_path / "a.csv", full))
    partial = "code,name,parent_code,level\nG1,甲区院,P,grassroots\n"
    code, summary, _err = run_command(
        "import_units", write_csv(tmp_path / "b.csv", partial)
    )
    assert code == 0 and summary["updated"] == 1
    unit = Unit.objects.get(code="G1")
    assert unit.name == "甲区院" and unit.business_line.code == "civil"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_over_the_row_cap_is_refused_with_a_clear_message(
    tmp_path, tree, settings, kind
):
    from tests.organisation.helpers import write_xlsx

    settings.IMPORT_MAX_ROWS = 5
    rows = [["工号", "姓名", "单位代码"]] + [[f"J{i}", "某人", "G1"] for i in range(8)]
    if kind == "csv":
        path = write_csv(
            tmp_path / "big.csv", "".join(",".join(r) + "\n" for r in rows)
        )
    else:
        path = write_xlsx(tmp_path / "big.xlsx", rows)
    code, _summary, err = run_command("import_staff", path)
    assert code == 1
    assert "文件超过 5 行" in err
    assert not StaffProfile.objects.exists()


def test_every_applied_import_is_recorded_and_a_dry_run_is_not(tmp_path, tree):
    import hashlib

    from organisation.models import ImportAudit

    path = write_csv(tmp_path / "roster.csv", FULL)
    run_command("import_staff", path, "--dry-run")
    assert not ImportAudit.objects.exists()
    run_command("import_staff", path)
    record = ImportAudit.objects.get()
    assert (record.kind, record.file_name, record.via) == (
        "staff",
        "roster.csv",
        "command",
    )
    assert record.sha256 == hashlib.sha256(FULL.encode()).hexdigest()
    assert record.summary["created"] == 2
    assert [c["key"] for c in record.changes] == ["J001", "J002"]
    run_command("import_staff", path, "--dry-run")
    run_command(
        "import_units",
        write_csv(
            tmp_path / "u.csv", "code,name,parent_code,level\nP,省院,,province\n"
        ),
    )
    assert ImportAudit.objects.count() == 2


@pytest.mark.parametrize(
    "text",
    [
        "code,name,parent_code,level\n,P,,province\n",
        "code,name,parent_code,level\n坏代码,甲,,city\nB,乙,坏代码,city\n",
    ],
)
def test_a_row_with_a_bad_key_is_reported_not_planned(tmp_path, text):
    code, summary, _err = run_command(
        "import_units", write_csv(tmp_path / "u.csv", text)
    )
    assert code == 1
    assert {e["row"] for e in summary["errors"]} >= {2}
    assert not Unit.objects.exists()
