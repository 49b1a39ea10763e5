"""Every admin screen a trainer (and an administrator) reaches speaks Chinese: no
English interface text, no lesson wording (课时) in a pager, no True/False."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from tests.assessments.factories import make_question, make_quiz, right_keys
from tests.e2e.conftest import screenshot
from tests.learning.helpers import catalogue, lessons_of, make_course

pytestmark = pytest.mark.django_db(transaction=True)

# Strings the issue found in English; any of them on a screen fails the walk.
KNOWN_ENGLISH = [
    "Pages created in",
    "created in",
    "Search all pages",
    "Insert a block",
    "Write something or type",
    "Layout",
    "Autosave is paused",
    "The page could not be created due to validation errors",
    "Exploring",
    "Edited by",
    "Shortcuts",
    "Page types usage",
    "Referenced 0 times",
    "True",
    "False",
    "None",
]
# Codes and names that are legitimately Latin: the product's name, file formats,
# and the identifiers this test's own data carries.
ALLOWED_WORDS = {
    "wagtail",
    "csv",
    "xlsx",
    "gift",
    "aiken",
    "moodle",
    "pdf",
    "utf",
    "gb",
    "bom",
    "url",
    "api",
    "id",
    "am",
    "pm",
    # Coefficient of internal consistency, named as in the item-analysis literature.
    "cic",
    # The title Wagtail gives its invisible root page, which the site history lists.
    "root",
}
DATA_CODE = re.compile(r"\b(?:ADM|Q)-[A-Z0-9-]+\b|\badm-[a-z0-9-]+\b|\b[A-Z]{2}\d{3}\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'CODE', 'PRE', 'TEXTAREA']
        .includes(parent.tagName)) continue;
    if (parent.closest('[contenteditable="true"], .Draftail-Editor .public-DraftEditor-content')) continue;
    if (!parent.checkVisibility()) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder]')) {
    if (el.checkVisibility()) out.push(el.getAttribute('placeholder'));
  }
  for (const el of document.querySelectorAll('.public-DraftEditorPlaceholder-inner')) {
    out.push(el.textContent);
  }
  return out;
}"""
PAGER_TEXT = """() => Array.from(document.querySelectorAll(
  'nav.pagination, .pagination, .w-pagination'
)).map((el) => el.textContent)"""


def english_on(page) -> list[str]:
    problems = []
    for text in page.evaluate(VISIBLE_TEXT):
        for phrase in KNOWN_ENGLISH:
            if re.search(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", text):
                problems.append(f"{phrase!r} in {text[:80]!r}")
        rest = DATA_CODE.sub("", text)
        words = [w for w in LATIN_WORD.findall(rest) if w.lower() not in ALLOWED_WORDS]
        if words:
            problems.append(f"English {words} in {text[:80]!r}")
    for text in page.evaluate(PAGER_TEXT):
        if "课时" in text:
            problems.append(f"课时 in a pager: {text.strip()[:80]!r}")
    # The leaked lesson navigation, wherever Wagtail draws a previous/next control.
    for text in page.evaluate(VISIBLE_TEXT):
        if "上一课时" in text or "下一课时" in text:
            problems.append(f"lesson navigation wording in {text[:80]!r}")
    return sorted(set(problems))


@pytest.fixture
def bank(reference_data, learner):
    # A transactional test starts from a flushed database: grant trainers their
    # question-bank rights again, as the migration does.
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="Trainers").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments",
            content_type__model__in=["question", "category", "quiz"],
        )
    )
    single = make_question(
        "Q-ADM-1",
        text="“案-件比”中的“件”指什么？",
        options=[("案件经过的诉讼环节", 1), ("受理的案件数", 0), ("结案数", 0)],
    )
    judge = make_question(
        "Q-ADM-2", type="true_false", text="案-件比越低越好。", correct_bool=True
    )
    quiz = make_quiz("adm-final", [single, judge], title="案-件比结业测验")
    course = make_course(
        catalogue(reference_data), code="ADM-101", lessons=3, final_quiz=quiz
    )
    attempt = services.attempt_start(user=learner, quiz=quiz)
    answers = {}
    for item in attempt.items.select_related("version"):
        if item.version.data["type"] == "single":
            answers[item.position] = {"keys": right_keys(item)}
        else:
            answers[item.position] = {"value": True}
    services.attempt_save(attempt_id=attempt.pk, user=learner, seq=0, answers=answers)
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    return {"course": course, "quiz": quiz, "question": single, "attempt": attempt}


def admin_sign_in(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("#main")).to_be_visible()


def screens(bank) -> list[str]:
    course = bank["course"]
    lesson = lessons_of(course)[0]
    index = course.get_parent()
    return [
        "/admin/",
        f"/admin/pages/{index.pk}/",
        f"/admin/pages/{course.pk}/",
        f"/admin/pages/{course.pk}/edit/",
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/add/learning/lessonpage/{course.pk}/",
        f"/admin/pages/add/learning/coursepage/{index.pk}/",
        f"/admin/pages/{course.pk}/history/",
        "/admin/pages/search/?q=案件",
        "/admin/snippets/assessments/question/",
        "/admin/snippets/assessments/question/add/",
        f"/admin/snippets/assessments/question/edit/{bank['question'].pk}/",
        "/admin/snippets/assessments/question/?type=numeric",
        "/admin/bulk/assessments/question/add_to_quiz/"
        f"?id={bank['question'].pk}&next=/admin/snippets/assessments/question/",
        "/admin/snippets/assessments/category/",
        "/admin/snippets/assessments/category/add/",
        "/admin/snippets/assessments/quiz/",
        f"/admin/snippets/assessments/quiz/edit/{bank['quiz'].pk}/",
        "/admin/assessments/marking/",
        "/admin/assessments/statistics/",
        f"/admin/assessments/statistics/?quiz={bank['quiz'].pk}",
        "/admin/assessments/transfer/",
        "/admin/reports/site-history/",
        "/admin/account/",
    ]


# Screens only an administrator reaches.
ADMIN_ONLY = [
    "/admin/imports/",
    "/admin/workflows/list/",
    "/admin/workflows/tasks/index/",
    "/admin/snippets/organisation/staffprofile/",
    "/admin/snippets/organisation/indicator/",
]


def walk(page, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#main")).to_be_visible()
        # A screen the user may not open sends them to the dashboard; that would
        # check the dashboard twice and the screen never.
        if path != "/admin/" and page.url.rstrip("/").endswith("/admin"):
            problems.append(f"{path}: not reached")
            continue
        problems += [f"{path}: {p}" for p in english_on(page)]
    # Leave no request in flight for the database flush that follows the test.
    page.goto("about:blank")
    return problems


def test_a_trainer_meets_no_english_in_the_admin(page, trainer, bank):
    admin_sign_in(page, "TR001", "pass12345")
    problems = walk(page, screens(bank))
    assert not problems, "\n".join(problems)


def test_an_administrator_meets_no_english_in_the_admin(page, admin_user, bank):
    admin_sign_in(page, "AD001", "pass12345")
    problems = walk(page, screens(bank) + ADMIN_ONLY)
    assert not problems, "\n".join(problems)


def test_the_rich_text_prompts_are_chinese(page, trainer, bank):
    """Draftail draws these from Wagtail's JavaScript catalogue."""
    admin_sign_in(page, "TR001", "pass12345")
    page.goto(page.base_url + f"/admin/pages/{lessons_of(bank['course'])[0].pk}/edit/")
    editor = page.locator(".Draftail-Editor .public-DraftEditor-content").first
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    expect(page.locator(".Draftail-BlockToolbar__trigger").first).to_have_attribute(
        "aria-label", "插入内容块"
    )
    screenshot(page, "admin-lesson-editor-zh")
    page.keyboard.type("/")
    expect(page.get_by_text("拆分内容块")).to_be_visible()
    expect(page.get_by_text("Split block")).to_have_count(0)
    page.keyboard.press("Escape")
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def test_the_javascript_catalogue_carries_the_editor_prompts(client, trainer):
    client.force_login(trainer)
    script = client.get("/admin/jsi18n/").content.decode("unicode_escape")
    assert "输入内容，或键入“/”插入内容块" in script
    assert "自动保存" in script


def test_boolean_columns_read_yes_or_no(page, trainer, bank):
    admin_sign_in(page, "TR001", "pass12345")
    page.goto(page.base_url + "/admin/snippets/assessments/question/")
    screenshot(page, "admin-question-list")
    expect(page.locator("td .w-sr-only", has_text="是").first).to_be_attached()
    expect(page.locator("td .w-sr-only", has_text="True")).to_have_count(0)


def test_item_statistics_fit_a_1366_pixel_screen(browser, live_server, trainer, bank):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.base_url = live_server.url
    try:
        admin_sign_in(page, "TR001", "pass12345")
        page.goto(
            page.base_url + f"/admin/assessments/statistics/?quiz={bank['quiz'].pk}"
        )
        table = page.locator(".item-stats")
        expect(table).to_contain_text("Q-ADM-1")
        expect(table).to_contain_text("“案-件比”中的“件”指什么？")
        expect(table).to_contain_text("案件经过的诉讼环节")
        table.scroll_into_view_if_needed()
        screenshot(page, "admin-item-statistics-1366")
        inner, outer, whole = page.evaluate(
            "() => { const t = document.querySelector('.item-stats');"
            " return [t.scrollWidth, t.clientWidth,"
            " document.documentElement.scrollWidth]; }"
        )
        assert inner <= outer
        assert whole <= 1366
    finally:
        context.close()
