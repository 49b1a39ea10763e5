"""Hours end to end: an organiser shows a sign-in code, a learner signs in with it on
a phone, the hours appear in 我的学时 and in the unit report, and a leader downloads
the person's 个人教育培训档案 (rendered to a picture in test-artifacts/)."""

import datetime as dt
import importlib
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from hours.models import CentralisedClass, ClassSession, Enrolment
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = timezone.localdate()


@pytest.fixture
def session(tree, learner, unit_leader):
    # A transactional test starts from a flushed database: seed the plan's rules
    # again, as the migration does.
    from django.apps import apps

    importlib.import_module("hours.migrations.0002_seed_requirements").seed(apps, None)
    klass = CentralisedClass.objects.create(
        code="BJ-E2E",
        title="检察业务骨干培训班",
        organiser=tree["G1"],
        starts_on=TODAY - dt.timedelta(days=1),
        ends_on=TODAY + dt.timedelta(days=1),
    )
    Enrolment.objects.create(klass=klass, staff=learner.profile)
    return ClassSession.objects.create(
        klass=klass, on=TODAY, title="上午", hours=Decimal("7.5")
    )


def _render(pdf: bytes, name: str) -> None:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    for n in range(len(document)):
        image = document[n].render(scale=1.4).to_pil()
        image.save(ARTIFACTS / f"{name}-{n + 1}.png")


def test_sign_in_by_code_reaches_my_hours_the_report_and_the_record(
    page, phone_page, session
):
    sign_in(page, "UL001", "pass12345")
    page.goto(f"{page.base_url}/hours/sessions/{session.pk}/code/")
    page.click("button:has-text('显示签到码')")
    code_box = page.locator(".sign-in-code")
    expect(code_box).to_have_text(re.compile(r"^[2-9A-Z]{6}$"))
    code = code_box.inner_text().strip()
    qr = page.request.get(f"{page.base_url}/hours/sessions/{session.pk}/qr.svg")
    assert qr.ok and b"<svg" in qr.body()
    screenshot(page, "hours-organiser-code")

    sign_in(phone_page, "L0001", "pass12345")
    phone_page.goto(f"{phone_page.base_url}/hours/sign-in/")
    phone_page.fill("input[name=code]", code.lower())
    phone_page.click("main form button[type=submit]")
    expect(phone_page.locator(".messages")).to_contain_text("记入 7.5 学时")
    expect(phone_page.locator(".ledger-table")).to_contain_text("检察业务骨干培训班")
    expect(phone_page.locator("h1")).to_have_text("我的学时")
    screenshot(phone_page, "hours-my-hours-phone")

    page.goto(f"{page.base_url}/reports/hours/G1/?show=all")
    row = page.locator("tr", has_text="L0001")
    expect(row).to_contain_text("7.5 / 90")
    screenshot(page, "hours-unit-report")
    with page.expect_download() as info:
        row.locator("a:has-text('PDF')").click()
    download = info.value
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "hours-record.pdf"
    download.save_as(str(target))
    body = target.read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "个人教育培训档案" in text and "李学员" in text
    assert "检察业务骨干培训班" in text and "集中培训" in text
    _render(body, "hours-record")
