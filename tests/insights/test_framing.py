"""The 2024 framing on every insights page and export, for every role: no unit's
position or ranking words, the notes visible at the top, no list of people for a group
under five, gaming cautions where a campaign can start, exports in Chinese."""

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from insights.services import snapshot_refresh
from organisation.models import Indicator
from tests.insights.helpers import RATIO

pytestmark = pytest.mark.django_db

RANKING_WORDS = ["位次", "排名", "排序", "名次", "排行", "上游", "中游", "下游", "短板"]
NOTES = ["仅供内部自查", "不是因果"]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def pages(client, user, unit_code):
    client.force_login(user)
    urls = [
        reverse("insights:index"),
        reverse("insights:index") + "?all=1",
        reverse("insights:index") + "?full=1",
        reverse("insights:more"),
        reverse("insights:unit", args=[unit_code]),
    ]
    return {url: client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans") for url in urls}


def visible_text(html: str) -> str:
    """The page's text: no scripts, JSON data, tags or attribute values (a random
    CSRF token may hold any word)."""
    html = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def export_text(client, fmt: str) -> list[list[str]]:
    response = client.get(reverse("insights:export", args=[fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return [
        ["" if v is None else str(v) for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]


@pytest.mark.parametrize("role", ["leader", "g07_leader"])
def test_no_ranking_words_or_positions_on_pages_or_exports(client, role, request):
    user = request.getfixturevalue(role)
    for url, response in pages(client, user, "G07").items():
        assert response.status_code == 200, url
        html = visible_text(response.content.decode())
        for word in RANKING_WORDS:
            assert word not in html, (url, word)
        assert "standing" not in html.lower() and "rho" not in html.split("统计细节")[0]
    for fmt in ("csv", "xlsx"):
        text = "\n".join(",".join(r) for r in export_text(client, fmt))
        for word in RANKING_WORDS:
            assert word not in text, (fmt, word)


@pytest.mark.parametrize("role", ["leader", "g07_leader"])
def test_the_notes_head_every_page_and_export_uncollapsed(client, role, request):
    user = request.getfixturevalue(role)
    for url, response in pages(client, user, "G07").items():
        if url == reverse("insights:more"):
            continue  # a fragment of the index page, below its notes
        html = response.content.decode()
        first_details = html.find("<details")
        for note in NOTES:
            at = html.find(note)
            assert at != -1, (url, note)
            assert first_details == -1 or at < first_details, (url, note)
        # Before the list of needs, too.
        assert html.find(NOTES[0]) < html.find("培训需求</h2>")
    for fmt in ("csv", "xlsx"):
        rows = export_text(client, fmt)
        top = " ".join(rows[0] + rows[1])
        for note in NOTES:
            assert note in top, (fmt, note)


def test_the_leaders_page_speaks_plain_chinese_first(client, leader):
    client.force_login(leader)
    html = client.get(reverse("insights:index") + "?full=1").content.decode()
    before_details = visible_text(html).split("统计细节")[0]
    assert "掌握程度越高的单位，该指标往往越好（关联，不是因果）" in html
    for jargon in ("rho", "p 值", "自助法", "bootstrap", "import_"):
        assert jargon not in before_details


def test_exports_are_in_chinese_with_display_values(client, leader):
    client.force_login(leader)
    for fmt in ("csv", "xlsx"):
        rows = export_text(client, fmt)
        header = rows[rows.index([""] * len(rows[-1])) + 1]
        assert header[:3] == ["单位编码", "单位", "指标编码"]
        assert header[3].endswith("指标")
        assert all(not re.search("[A-Za-z]", h) for h in header)
        table = [dict(zip(header, r, strict=True)) for r in rows[len(NOTES) + 2 :]]
        g08 = next(
            r for r in table if r["单位编码"] == "G08" and r["指标编码"] == RATIO
        )
        assert re.fullmatch(r"1:\d\.\d\d", g08["指标值"])
        assert re.fullmatch(r"\d+(\.\d)?%", g08["完成率"])
        assert g08["与同级平均相比"] == "高于同级平均"
        assert g08["建议措施"] == "安排尚未学习的人员学习课程"


def test_no_list_for_a_group_under_five_anywhere(client, leader, tmp_path):
    """G09 has three people: no list on the page, in the export or in the JSON."""
    out = tmp_path / "gaps.json"
    call_command("gap_analysis", "--period", "2026Q3", "--output", str(out))
    report = json.loads(out.read_text(encoding="utf-8"))
    for gap in report["gaps"]:
        if gap["unit_code"] == "G09":
            assert gap["staff_to_remediate"] == []
        # Every list names at least five people.
        assert gap["staff_to_remediate"] == [] or len(gap["staff_to_remediate"]) >= 5
    client.force_login(leader)
    html = client.get(reverse("insights:unit", args=["G09"])).content.decode()
    assert "G09S" not in html
    rows = export_text(client, "csv")
    assert not any("G09S" in cell for row in rows for cell in row)


def test_the_json_carries_band_remedy_and_the_formula(tmp_path, planted):
    out = tmp_path / "gaps.json"
    call_command("gap_analysis", "--period", "2026Q3", "--output", str(out))
    report = json.loads(out.read_text(encoding="utf-8"))
    first = report["gaps"][0]
    assert {"tier", "standing", "band", "remedy", "priority_basis"} <= set(first)
    assert first["band"] == "above"
    assert set(first["priority_basis"]) >= {"distance", "shortfall", "evidence"}
    assert "shortfall" in report["method"]["priority_formula"]
    assert report["notes"]


def test_a_gaming_prone_indicator_carries_its_caution(client, leader):
    from learning.campaigns.models import Campaign

    caution = Indicator.objects.get(code=RATIO).gaming_caution
    assert "不是让数字变好看" in caution
    client.force_login(leader)
    html = client.get(reverse("insights:index")).content.decode()
    button = html.index(f'value="G08|{RATIO}"')
    assert html.rfind(caution, 0, button) > html.rfind("<tr>", 0, button)
    assert "创建“理解指标含义”培训任务" in html
    client.post(
        reverse("insights:gap_campaign"),
        {"period": "2026Q3", "gap": f"G08|{RATIO}"},
    )
    assert Campaign.objects.get().title.startswith("理解“")


def test_an_administrator_can_clear_a_caution(client, leader):
    Indicator.objects.filter(code=RATIO).update(gaming_caution="")
    snapshot_refresh("2026Q3")
    client.force_login(leader)
    html = client.get(reverse("insights:index")).content.decode()
    assert "不是让数字变好看" not in html
    assert "创建培训任务" in html
