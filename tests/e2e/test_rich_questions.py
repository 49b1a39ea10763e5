"""Questions imported from Moodle with HTML and Markdown render formatted and safe."""

import pytest

from assessments.formats import gift
from assessments.models import Question
from assessments.services.transfer import questions_import
from tests.assessments.factories import make_quiz
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

BANK = r"""$CATEGORY: 题库/富文本

::RICH-HTML::[html]<p>根据下表，<b>案-件比</b>为多少？<script>window.hacked = 1</script></p><table><tr><th>案</th><th>件</th></tr><tr><td>800</td><td>1050</td></tr></table><p><img src="x" onerror="window.hacked = 2">参见 <a href="javascript:window.hacked=3">说明</a></p>{
	=<b>1\:1.31</b>#算对了：1050÷800
	~<i>1\:1.05</i>#再算一遍
	~1\:0.76
}

::RICH-MD::[markdown]**下列说法正确的是？**\n\n- 案-件比越低越好\n- 理想值为 1\:1{T#看看理想值#对，理想值为 1\:1}
"""


def test_a_learner_sees_html_and_markdown_questions_formatted_and_safe(page, tree):
    user = StaffFactory(unit=tree["G1-D1"], staff_no="R0001", name="富文本").user
    user.set_password("demo12345")
    user.save()
    questions_import(table=gift.parse(BANK))
    quiz = make_quiz(
        "rich-text",
        [Question.objects.get(code="RICH-HTML"), Question.objects.get(code="RICH-MD")],
        title="富文本试题",
    )
    quiz.review_right_answer = True
    quiz.save()

    sign_in(page, "R0001", "demo12345")
    page.goto(page.base_url + "/quizzes/rich-text/")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".question-text")

    text = page.locator(".question-text").first
    assert text.locator("b").inner_text() == "案-件比"
    assert text.locator("table td").count() == 2
    assert "<b>" not in page.locator("main").inner_text()
    assert page.locator("label.option b", has_text="1:1.31").count() == 1
    # Nothing the bank carried ran, and no outside image or script link survived.
    assert page.evaluate("window.hacked") is None
    assert page.locator("main script").count() == 0
    assert page.locator("main [onerror]").count() == 0
    assert page.locator("main a[href^='javascript']").count() == 0
    # Neither the right answer's feedback nor its fraction is on the page yet.
    html = page.content()
    assert "算对了" not in html and "再算一遍" not in html
    screenshot(page, "rich-question-html")

    page.click("button[name=go][value='2']")
    page.wait_for_selector(".question-text strong")
    markdown = page.locator(".question-text").first
    assert markdown.locator("strong").inner_text() == "下列说法正确的是？"
    assert markdown.locator("li").count() == 2
    assert "**" not in markdown.inner_text()
    assert "看看理想值" not in page.content()
    screenshot(page, "rich-question-markdown")
