"""The completion report printed from the browser: the PDF for 全部人员 and for 未完成,
each page rendered to a picture (test-artifacts/) for a person to look at."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.campaigns.factories import complete, make_campaign, make_course
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=60)
DUE = TODAY - dt.timedelta(days=5)


@pytest.fixture
def report_data(reference_data, tree):
    course = make_course(reference_data, "LAW-P")
    n = 0
    for code, count in (("C1", 3), ("G1", 4), ("G1-D1", 30), ("G2", 20), ("G3", 12)):
        for i in range(count):
            person = StaffFactory(
                unit=tree[code],
                staff_no=f"P{n:03d}",
                name=f"检察员{n:03d}",
                is_leader=i == 0,
            )
            if n % 3 == 1:
                complete(person.user, course, START + dt.timedelta(days=3))
            elif n % 5 == 2:
                complete(person.user, course, DUE + dt.timedelta(days=2))
            n += 1
    return make_campaign([course], code="LAW-PRINT", starts_on=START, due_on=DUE)


def _print(page, unit: str, show: str, name: str) -> list[str]:
    page.goto(f"{page.base_url}/reports/campaigns/LAW-PRINT/units/{unit}/?show={show}")
    page.click("button[name=format][value=pdf]")
    page.wait_for_selector("a:has-text('下载')")
    with page.expect_download() as info:
        page.click("a:has-text('下载')")
    download = info.value
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}.pdf"
    download.save_as(str(target))
    body = target.read_bytes()
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(target), str(ARTIFACTS / name)],
            check=True,
        )
    assert download.suggested_filename.endswith(".pdf")
    return [p.extract_text() for p in PdfReader(io.BytesIO(body)).pages]


@pytest.mark.parametrize(
    "show,title,other",
    [
        ("all", "全部人员名单", "未完成人员名单"),
        ("not_done", "未完成人员名单", "全部人员名单"),
    ],
)
def test_leadership_prints_the_report_for_the_chosen_list(
    page, report_data, leadership, show, title, other
):
    sign_in(page, "LD001", "pass12345")
    pages = _print(page, "C1", show, f"report-pdf-{show}")
    assert title in pages[0] and other not in "".join(pages)
    assert "一市院" in pages[0] and "本级机关直属人员" in pages[0]
    for n, text in enumerate(pages, start=1):
        assert "内部资料 注意保管" in text and f"第{n}页，共{len(pages)}页" in text
    assert "甲区院·第一检察部" in "".join(pages)


def test_the_report_page_on_desktop_and_phone(
    page, phone_page, report_data, unit_leader
):
    sign_in(page, "UL001", "pass12345")
    page.goto(page.base_url + "/reports/campaigns/LAW-PRINT/units/G1/?show=all")
    text = page.inner_text("main")
    assert "全部人员名单" in text and "逾期完成" in text and "本级机关直属人员" in text
    page.fill("#as_of", (DUE - dt.timedelta(days=1)).isoformat())
    page.click(".as-of-form button")
    page.wait_for_load_state()
    assert "as_of=" in page.url
    screenshot(page, "report-unitlead-desktop")
    sign_in(phone_page, "UL001", "pass12345")
    phone_page.goto(phone_page.base_url + "/reports/campaigns/LAW-PRINT/units/G1/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    screenshot(phone_page, "report-unitlead-phone")
