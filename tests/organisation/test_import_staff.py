import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from organisation.models import StaffProfile
from organisation.signals import roster_changed
from tests.organisation.helpers import run_command, write_csv

pytestmark = pytest.mark.django_db

HEADER = (
    "staff_no,name,unit_code,position,business_lines,is_leader,email,hired_on,active\n"
)


def roster(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


def test_it_imports_people_with_lines_leader_flags_and_accounts(tmp_path, tree):
    text = roster(
        "J001,张三,G1,检察官,ordinary_crime;civil,是,z3@example.cn,2020-03-01,1",
        "J002,李四,G1-D1,书记员,,0,,,",
    )
    code, summary, _err = run_command(
        "import_staff", write_csv(tmp_path / "s.csv", text)
    )
    assert code == 0 and summary["created"] == 2
    z3 = StaffProfile.objects.get(staff_no="J001")
    assert (
        z3.is_leader
        and z3.unit.code == "G1"
        and z3.hired_on.isoformat() == "2020-03-01"
    )
    assert sorted(z3.business_lines.values_list("code", flat=True)) == [
        "civil",
        "ordinary_crime",
    ]
    assert z3.user.username == "J001" and not z3.user.has_usable_password()
    assert StaffProfile.objects.get(staff_no="J002").active is True


def test_reimport_is_idempotent_and_changes_are_counted(tmp_path, tree):
    path = write_csv(tmp_path / "s.csv", roster("J001,张三,G1,检察官,civil,1,,,1"))
    run_command("import_staff", path)
    assert run_command("import_staff", path)[1]["unchanged"] == 1
    changed = write_csv(tmp_path / "s2.csv", roster("J001,张三,G2,检察官,civil,1,,,1"))
    code, summary, _err = run_command("import_staff", changed)
    assert summary["updated"] == 1
    assert StaffProfile.objects.get(staff_no="J001").unit.code == "G2"


def test_a_leaver_is_kept_but_can_no_longer_sign_in(tmp_path, tree):
    run_command(
        "import_staff",
        write_csv(tmp_path / "a.csv", roster("J001,张三,G1,检察官,,0,,,1")),
    )
    profile = StaffProfile.objects.get(staff_no="J001")
    profile.user.set_password("pass12345")
    profile.user.save()
    assert (
        authenticate(RequestFactory().post("/"), username="J001", password="pass12345")
        is not None
    )
    run_command(
        "import_staff",
        write_csv(tmp_path / "b.csv", roster("J001,张三,G1,检察官,,0,,,0")),
    )
    profile.refresh_from_db()
    assert profile.active is False
    assert (
        authenticate(RequestFactory().post("/"), username="J001", password="pass12345")
        is None
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("J001,张三,JY-099,检察官,,0,,,1", '第 3 行 unit_code: 未知单位 "JY-099"'),
        (
            "J001,张三,G1,检察官,,0,,2020-13-45,1",
            "第 3 行 hired_on: “2020-13-45”不是一个存在的日期",
        ),
        ("J001,,G1,检察官,,0,,,1", "第 3 行 name: 未填写"),
        ("J001,张三,G1,检察官,,0,,2020-1x-01,1", "第 3 行 hired_on: 日期格式应为"),
        ("J009,重复,G1,检察官,,0,,,1", "第 3 行 staff_no: 工号“J009”重复"),
        (
            "J001,张三,G1,检察官,nope,0,,,1",
            "第 3 行 business_lines: 未知业务条线“nope”",
        ),
        ("J001,张三,G1,检察官,,maybe,,,1", "第 3 行 is_leader: 应为 1/0"),
        ("J001,张三,G1,检察官,,0,not-an-email,,1", "第 3 行 email: 不是有效的电子邮箱"),
    ],
)
def test_bad_rows_refuse_the_whole_file(tmp_path, tree, row, expected):
    text = roster("J009,正常人,G1,检察官,,0,,,1", row)
    code, summary, err = run_command(
        "import_staff", write_csv(tmp_path / "bad.csv", text)
    )
    assert code == 1
    assert expected in err
    assert not StaffProfile.objects.filter(staff_no__startswith="J00").exists()


def test_chinese_headers_are_read_and_an_unknown_header_is_refused(tmp_path, tree):
    text = "工号,姓名,单位代码,职务\nJ001,张三,G1,检察官\n"
    code, summary, _err = run_command(
        "import_staff", write_csv(tmp_path / "zh.csv", text)
    )
    assert code == 0 and summary["created"] == 1
    assert StaffProfile.objects.get(staff_no="J001").unit.code == "G1"

    text = "工号,姓名,单位,备注\nJ002,李四,G1,无\n"
    code, _summary, err = run_command(
        "import_staff", write_csv(tmp_path / "bad.csv", text)
    )
    assert code == 1
    assert "第 1 行 备注: 无法识别的列" in err
    assert not StaffProfile.objects.filter(staff_no="J002").exists()


def test_roster_changes_are_announced_after_commit(
    tmp_path, tree, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, staff_ids, **kwargs):
        received.extend(staff_ids)

    roster_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run_command(
                "import_staff",
                write_csv(tmp_path / "s.csv", roster("J001,张三,G1,检察官,,0,,,1")),
            )
    finally:
        roster_changed.disconnect(listener)
    assert received == [StaffProfile.objects.get(staff_no="J001").id]


def test_ten_thousand_rows_import_with_a_bounded_number_of_queries(
    tmp_path, tree, django_assert_max_num_queries
):
    rows = [
        f"K{i:05d},人员{i},G{1 + i % 3},检察官,civil,0,,2021-01-01,1"
        for i in range(10000)
    ]
    path = write_csv(tmp_path / "big.csv", roster(*rows))
    with django_assert_max_num_queries(500):
        code, summary, _err = run_command("import_staff", path)
    assert code == 0 and summary["created"] == 10000
    assert StaffProfile.objects.filter(staff_no__startswith="K").count() == 10000
