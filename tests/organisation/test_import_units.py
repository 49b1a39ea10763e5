import pytest

from organisation.models import Unit
from tests.organisation.helpers import run_command, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

GOOD = """code,name,parent_code,level,business_line
P,省人民检察院,,province,
C1,一市人民检察院,P,city,
G1,甲区人民检察院,C1,grassroots,
G1-D1,第一检察部,G1,department,ordinary_crime
"""


def test_it_imports_a_tree_and_keeps_subtree_paths(tmp_path):
    code, summary, _err = run_command(
        "import_units", write_csv(tmp_path / "u.csv", GOOD)
    )
    assert code == 0
    assert summary["created"] == 4
    assert Unit.objects.get(code="G1-D1").path == "P/C1/G1/G1-D1/"
    assert Unit.objects.get(code="G1-D1").business_line.code == "ordinary_crime"


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "u.csv", GOOD)
    run_command("import_units", path)
    code, summary, _err = run_command("import_units", path)
    assert code == 0
    assert summary == {
        "created": 0,
        "updated": 0,
        "unchanged": 4,
        "dry_run": False,
        "changes": [],
    }


def test_it_reads_gb18030_and_utf8_with_bom(tmp_path):
    code, _s, _e = run_command(
        "import_units", write_csv(tmp_path / "gb.csv", GOOD, "gb18030")
    )
    assert code == 0
    assert Unit.objects.get(code="C1").name == "一市人民检察院"
    code, summary, _e = run_command(
        "import_units", write_csv(tmp_path / "bom.csv", GOOD, "utf-8-sig")
    )
    assert code == 0 and summary["unchanged"] == 4


def test_it_reads_the_first_sheet_of_an_xlsx_file(tmp_path):
    rows = [
        ["code", "name", "parent_code", "level"],
        ["P", "省院", None, "province"],
        ["C9", "九市院", "P", "city"],
    ]
    code, summary, _err = run_command(
        "import_units", write_xlsx(tmp_path / "u.xlsx", rows)
    )
    assert code == 0 and summary["created"] == 2


def test_moving_a_unit_updates_the_paths_of_its_whole_subtree(tmp_path):
    run_command("import_units", write_csv(tmp_path / "u.csv", GOOD))
    moved = "code,name,parent_code,level\nC2,二市院,P,city\nG1,甲区人民检察院,C2,grassroots\n"
    code, summary, _err = run_command(
        "import_units", write_csv(tmp_path / "m.csv", moved)
    )
    assert code == 0 and summary["updated"] == 1
    assert Unit.objects.get(code="G1-D1").path == "P/C2/G1/G1-D1/"


def test_dry_run_validates_but_writes_nothing(tmp_path):
    code, summary, _err = run_command(
        "import_units", write_csv(tmp_path / "u.csv", GOOD), "--dry-run"
    )
    assert code == 0 and summary["created"] == 4 and summary["dry_run"] is True
    assert not Unit.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "code,name,parent,level\nP,省院,,province\n",
            "第 1 行 parent_code: 缺少必填列",
        ),
        (
            "code,name,parent_code,level\nP,省院,,province\nG1,甲院,JY-099,grassroots\n",
            '第 3 行 parent_code: 未知单位 "JY-099"',
        ),
        (
            "code,name,parent_code,level\nP,省院,,province\nP,省院二,,province\n",
            "第 3 行 code: 编码“P”重复",
        ),
        ("code,name,parent_code,level\nP,,,province\n", "第 2 行 name: 未填写"),
        (
            "code,name,parent_code,level\nP,省院,,nation\n",
            "第 2 行 level: 无法识别的值“nation”",
        ),
        ("code,name,parent_code,level\nA,甲,,city\nB,乙,A,city\nA,甲,B,city\n", "重复"),
    ],
)
def test_bad_files_are_refused_whole_with_row_and_column(tmp_path, text, expected):
    path = write_csv(tmp_path / "bad.csv", text + "OK1,正常单位,,province\n")
    code, summary, err = run_command("import_units", path)
    assert code == 1
    assert expected in err
    assert summary["created"] == 0
    assert not Unit.objects.exists()


def test_a_cycle_through_existing_units_is_refused(tmp_path):
    run_command("import_units", write_csv(tmp_path / "u.csv", GOOD))
    cycle = "code,name,parent_code,level\nC1,一市人民检察院,G1,city\n"
    code, _summary, err = run_command(
        "import_units", write_csv(tmp_path / "c.csv", cycle)
    )
    assert code == 1
    assert "第 2 行 parent_code: 这些单位的上下级关系形成了循环：C1 → G1 → C1" in err
    assert Unit.objects.get(code="C1").parent.code == "P"


def test_a_file_in_another_encoding_is_refused(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(GOOD.encode("utf-16"))
    code, _summary, err = run_command("import_units", str(path))
    assert code == 1
    assert "UTF-8" in err and "GB18030" in err
    assert not Unit.objects.exists()


def test_errors_are_in_english_for_english_users(tmp_path):
    from django.utils import translation

    path = write_csv(
        tmp_path / "bad.csv", "code,name,parent_code,level\nG1,甲院,JY-099,grassroots\n"
    )
    with translation.override("en"):
        code, _summary, err = run_command("import_units", path)
    assert code == 1
    assert 'Row 2 parent_code: unknown unit "JY-099"' in err
