"""Demo province: the unit tree, about 600 staff and the demo accounts (idempotent).

Everything is built through the same import services that administrators use, from
deterministic pseudo-random data, so running it twice changes nothing.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from .importers import staff_import, units_import
from .importing import run_import
from .models import RoleAssignment, StaffProfile, Unit
from .services import indicators_load_shipped, role_assign
from .tabular import Table

DEMO_PASSWORD = "demo12345"

CITIES = [
    ("C01", "东江市人民检察院", ["城关区", "江北区", "临江县", "青山县"]),
    ("C02", "西岭市人民检察院", ["岭南区", "梅川区", "石门县", "云溪县"]),
    ("C03", "南湖市人民检察院", ["湖滨区", "南城区", "白沙县", "桃源县"]),
    ("C04", "北原市人民检察院", ["原中区", "北塘区", "长林县", "安平县"]),
    ("C05", "中川市人民检察院", ["川东区", "川西区", "丰乐县", "永宁县"]),
]
DEPARTMENTS = [
    ("D1", "第一检察部", "ordinary_crime"),
    ("D2", "第二检察部", "economic_crime"),
    ("D3", "第三检察部", "civil"),
    ("D4", "第四检察部", "public_interest_litigation"),
]
UPPER_DEPARTMENTS = DEPARTMENTS + [
    ("D5", "第五检察部", "criminal_execution"),
    ("D6", "第六检察部", "administrative"),
    ("D7", "未成年人检察部", "juvenile"),
    ("D8", "控告申诉检察部", "complaint_petition"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂焦向柳邢岳齐"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅文斌鹏辉俊峰晓燕宇浩然婷雪琳欣怡子涵思远志宏佳琪博文一鸣海燕春晖立新卫东雅楠梦瑶天翔嘉怡"
POSITIONS = [
    ("检察官", 30),
    ("检察官助理", 30),
    ("书记员", 20),
    ("司法警察", 8),
    ("综合行政人员", 12),
]


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def unit_rows() -> list[dict]:
    rows = [
        {
            "code": "P00",
            "name": "江州省人民检察院",
            "parent_code": "",
            "level": "province",
            "business_line": "",
        }
    ]
    for code, name, _line in UPPER_DEPARTMENTS:
        rows.append(
            {
                "code": f"P00-{code}",
                "name": name,
                "parent_code": "P00",
                "level": "department",
                "business_line": _line,
            }
        )
    for city_code, city_name, districts in CITIES:
        rows.append(
            {
                "code": city_code,
                "name": city_name,
                "parent_code": "P00",
                "level": "city",
                "business_line": "",
            }
        )
        for code, name, line in UPPER_DEPARTMENTS[:6]:
            rows.append(
                {
                    "code": f"{city_code}-{code}",
                    "name": name,
                    "parent_code": city_code,
                    "level": "department",
                    "business_line": line,
                }
            )
        for index, district in enumerate(districts, start=1):
            g_code = f"G{city_code[1:]}{index:02d}"
            rows.append(
                {
                    "code": g_code,
                    "name": f"{city_name[:3]}{district}人民检察院",
                    "parent_code": city_code,
                    "level": "grassroots",
                    "business_line": "",
                }
            )
            for code, name, line in DEPARTMENTS:
                rows.append(
                    {
                        "code": f"{g_code}-{code}",
                        "name": name,
                        "parent_code": g_code,
                        "level": "department",
                        "business_line": line,
                    }
                )
    return rows


def staff_rows() -> list[dict]:
    """About 600 people: leaders of each procuratorate, then staff spread over departments."""
    rng = random.Random(20261126)
    units = unit_rows()
    lines_of = {u["code"]: u["business_line"] for u in units}
    rows, number = [], 0

    def add(
        unit_code: str, position: str, leader: bool = False, lines: str = ""
    ) -> None:
        nonlocal number
        number += 1
        year = rng.randint(1995, 2025)
        rows.append(
            {
                "staff_no": f"J{number:05d}",
                "name": _name(rng),
                "unit_code": unit_code,
                "position": position,
                "business_lines": lines or lines_of.get(unit_code, ""),
                "is_leader": "1" if leader else "0",
                "email": f"j{number:05d}@jcy.example",
                "hired_on": f"{year}-{rng.randint(1, 12):02d}-01",
                "active": "1",
            }
        )

    def staff_unit(
        unit_code: str, sizes: tuple[int, int], departments: list[str]
    ) -> None:
        add(unit_code, "检察长", leader=True)
        for _ in range(2):
            add(unit_code, "副检察长", leader=True)
        for dept in departments:
            add(dept, "部门负责人", leader=True)
            for _ in range(rng.randint(*sizes)):
                position = rng.choices(
                    [p for p, _w in POSITIONS], [w for _p, w in POSITIONS]
                )[0]
                add(dept, position)

    staff_unit("P00", (3, 4), [f"P00-{c}" for c, _n, _l in UPPER_DEPARTMENTS])
    for city_code, _city_name, districts in CITIES:
        staff_unit(
            city_code,
            (2, 4),
            [f"{city_code}-{c}" for c, _n, _l in UPPER_DEPARTMENTS[:6]],
        )
        for index in range(1, len(districts) + 1):
            g_code = f"G{city_code[1:]}{index:02d}"
            staff_unit(g_code, (3, 4), [f"{g_code}-{c}" for c, _n, _l in DEPARTMENTS])
    return rows


def _table(rows: list[dict]) -> Table:
    headers = list(rows[0].keys())
    return Table(headers=headers, rows=[(i, r) for i, r in enumerate(rows, start=2)])


# The demo accounts of the design: (username, staff_no, name, unit, position, leader, roles).
DEMO_ACCOUNTS = [
    (
        "admin",
        "A00001",
        "系统管理员",
        "P00",
        "平台管理员",
        False,
        [("administrator", None)],
    ),
    (
        "trainer",
        "A00002",
        "周培训",
        "P00",
        "教育培训处干部",
        False,
        [("trainer", None)],
    ),
    ("leader", "A00003", "郑政治", "P00", "政治部主任", True, [("leadership", None)]),
    (
        "unitlead",
        "A00004",
        "陈检察长",
        "G0101",
        "检察长",
        True,
        [("unit_leader", "G0101")],
    ),
    ("staff", "A00005", "李小检", "G0101-D1", "检察官助理", False, []),
]
DEMO_UNIT = "G0101"


def seed(*, stdout=None) -> None:
    from organisation.migrations._reference import load_groups_and_lines

    load_groups_and_lines()
    run_import(units_import, table=_table(unit_rows()))
    run_import(staff_import, table=_table(staff_rows()))
    indicators_load_shipped()
    User = get_user_model()
    for username, staff_no, name, unit_code, position, leader, roles in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(
            username=username, defaults={"first_name": name}
        )
        if username == "admin":
            user.is_superuser = user.is_staff = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        unit = Unit.objects.get(code=unit_code)
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "staff_no": staff_no,
                "name": name,
                "unit": unit,
                "position": position,
                "is_leader": leader,
                "active": True,
                "email": f"{username}@jcy.example",
            },
        )
        for role, scope in roles:
            role_assign(
                user=user,
                role=role,
                unit=Unit.objects.get(code=scope) if scope else None,
            )
    if stdout:
        stdout.write(
            f"organisation: {Unit.objects.count()} units, {StaffProfile.objects.count()} staff, "
            f"{RoleAssignment.objects.count()} role assignments"
        )
