"""Chinese full-text search over courses and lessons.

Wagtail's database backend splits text on spaces and punctuation, which leaves a
Chinese sentence as one token. Here every published course and lesson is cut into
words with jieba, using a domain dictionary built from the indicator catalogue and
the courses' search terms, so that 案件比, 认罪认罚 and 诉前羁押 stay whole. Text is
normalised first (full-width forms, hyphens and quotes inside Chinese words), so
“案-件比” and 案件比 are the same word. A match in the title ranks above matches in
the body.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.html import strip_tags

# Terms of the trade that a general dictionary splits apart.
BASE_TERMS = [
    "案件比",
    "案件质量",
    "评价指标",
    "主要评价指标",
    "认罪认罚",
    "认罪认罚从宽",
    "诉前羁押",
    "诉前羁押率",
    "诉前程序",
    "诉前检察建议",
    "检察建议",
    "公益诉讼",
    "量刑建议",
    "确定刑",
    "退回补充侦查",
    "补充侦查",
    "延长审查起诉期限",
    "审查起诉",
    "审查逮捕",
    "捕诉一体",
    "四大检察",
    "十大业务",
    "一个都不能少",
    "关键少数",
    "法治教育",
    "社会主义法治",
    "习近平法治思想",
    "检察文书",
    "起诉书",
    "不起诉决定书",
    "不捕率",
    "不诉率",
    "捕后不诉",
    "退查率",
    "刑事检察",
    "民事检察",
    "行政检察",
    "公益诉讼检察",
    "控告申诉",
    "未成年人检察",
    "检察官",
    "检察官助理",
    "值班律师",
    "具结书",
    "释法说理",
]

# Hyphens, dashes and quotes that authors put inside terms (“案-件比”).
_JOINERS = re.compile(r"[\-‐‑‒–—―－·•“”‘’\"'「」『』〈〉《》]")
_PARENS = re.compile(r"[（(][^）)]*[）)]")
_WORDISH = re.compile(r"[\w]", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
TITLE_WEIGHT = 100
BODY_CAP = 20


def joiner_pattern(term: str) -> str:
    """A regular expression matching ``term`` with the joiners the index ignores
    allowed between its characters (案件比 matches 案-件比), or "" for a term with
    none to allow (one character, or too long to be a word)."""
    chars = [c for c in normalise(term) if not c.isspace()]
    if not 2 <= len(chars) <= 30:
        return ""
    return f"(?:{_JOINERS.pattern})?".join(re.escape(c) for c in chars)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, and no joiners or quotes inside words."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _JOINERS.sub("", text)


def dictionary_terms() -> set[str]:
    """Domain words: the built-in list, indicator names, course search terms."""
    from learning.models import CoursePage
    from organisation.models import Indicator

    terms = {normalise(t) for t in BASE_TERMS}
    for name in Indicator.objects.values_list("name", flat=True):
        whole = normalise(name)
        terms.add(normalise(_PARENS.sub("", whole)))
        # 不起诉率（不诉率） gives 不起诉率 and 不诉率.
        terms.update(normalise(m) for m in re.findall(r"[（(]([^）)]+)[）)]", name))
    for keywords in CoursePage.objects.exclude(keywords="").values_list(
        "keywords", flat=True
    ):
        terms.update(normalise(k) for k in re.split(r"[,，;；、\s]+", keywords))
    return {t for t in terms if len(t) >= 2}


class _Segmenter:
    """A jieba tokenizer with the domain dictionary, rebuilt when the words change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._words: frozenset[str] = frozenset()
        self._tokenizer = None

    def get(self, words: set[str]):
        import jieba

        words = frozenset(words)
        with self._lock:
            if self._tokenizer is None or not words <= self._words:
                tokenizer = self._tokenizer
                if tokenizer is None:
                    jieba.setLogLevel(60)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                for word in words - self._words:
                    # A high frequency makes jieba prefer the whole term.
                    tokenizer.add_word(word, freq=200000)
                self._words = self._words | words
                self._tokenizer = tokenizer
            return self._tokenizer


_segmenter = _Segmenter()


def _keep(token: str) -> bool:
    token = token.strip()
    if not token or not _WORDISH.search(token):
        return False
    # Single Chinese characters (的, 是, 和 …) match almost everything.
    return not (len(token) == 1 and _CJK.match(token))


def _with_subwords(tokenizer, token: str):
    """The token, then every dictionary word inside it (认罪认罚从宽 → 认罪认罚, 从宽 …).

    jieba's own search mode only looks at two- and three-character pieces; domain
    terms are often four or more.
    """
    yield token
    size = len(token)
    if size <= 2 or not _CJK.search(token):
        return
    for width in range(size - 1, 1, -1):
        for start in range(size - width + 1):
            piece = token[start : start + width]
            if tokenizer.FREQ.get(piece):
                yield piece


def index_terms(text: str, *, words: set[str] | None = None) -> list[str]:
    """Words of a text for the index: whole terms and their dictionary sub-words."""
    tokenizer = _segmenter.get(words if words is not None else dictionary_terms())
    terms = []
    for token in tokenizer.cut(normalise(text)):
        token = token.strip()
        if _keep(token):
            terms.extend(t for t in _with_subwords(tokenizer, token) if _keep(t))
    return terms


def query_terms(query: str, *, words: set[str] | None = None) -> list[str]:
    """Words of a query, in order, without repeats."""
    tokenizer = _segmenter.get(words if words is not None else dictionary_terms())
    normalised = normalise(query)
    terms = [t.strip() for t in tokenizer.cut(normalised) if _keep(t)]
    if not terms and normalised.strip():
        terms = [normalised.strip()]
    return list(dict.fromkeys(terms))


def _joined(terms: list[str]) -> str:
    return " " + " ".join(terms) + " " if terms else ""


# Text of pages -------------------------------------------------------------------


def page_text(page) -> tuple[str, str]:
    """(kind, body text) of a course or lesson page."""
    from learning.models import CoursePage, LessonPage

    if isinstance(page, CoursePage):
        parts = [page.summary, page.audience_note, page.keywords]
        parts += [i.name for i in page.indicators.all()]
        return "course", "\n".join(p for p in parts if p)
    if isinstance(page, LessonPage):
        return "lesson", lesson_body_text(page)
    return "page", ""


def lesson_body_text(lesson) -> str:
    parts: list[str] = []
    for block in lesson.body:
        value = block.value
        kind = block.block_type
        if kind == "paragraph":
            parts.append(strip_tags(value.source))
        elif kind == "heading":
            parts.append(value.get("text", ""))
        elif kind == "key_point":
            parts += [value.get("title", ""), strip_tags(value["text"].source)]
        elif kind == "provision":
            parts += [value.get("statute", ""), value.get("article", "")]
            parts.append(value.get("text", ""))
        elif kind == "worked_example":
            parts += [value.get("title", ""), value.get("problem", "")]
            for step in value.get("steps", []):
                parts.append(f"{step.get('label', '')} {step.get('expression', '')}")
            parts.append(value.get("answer", ""))
        elif kind == "indicator_card":
            indicator = value.get("indicator")
            if indicator is not None:
                parts += [indicator.name, indicator.formula]
            parts.append(value.get("note", ""))
        elif kind in {"image", "video", "document"}:
            parts.append(value.get("caption", "") or value.get("title", ""))
    return "\n".join(p for p in parts if p)


# Keeping the index ----------------------------------------------------------------


def index_page(page, *, words: set[str] | None = None) -> None:
    """Index one page if it is a live course or lesson; drop it otherwise."""
    from .models import SearchEntry

    page = page.specific
    kind, body = page_text(page)
    if kind == "page" or not page.live:
        SearchEntry.objects.filter(page_id=page.pk).delete()
        return
    words = words if words is not None else dictionary_terms()
    title = page.title if kind == "lesson" else f"{page.title} {page.code}"
    SearchEntry.objects.update_or_create(
        page_id=page.pk,
        defaults={
            "kind": kind,
            "title_terms": _joined(index_terms(title, words=words)),
            "body_terms": _joined(index_terms(body, words=words)),
            # Courses are introduced by their summary; lessons by the passage hit.
            "plain_text": (page.summary if kind == "course" else body)[:4000],
        },
    )


def unindex_page(page_id: int) -> None:
    from .models import SearchEntry

    SearchEntry.objects.filter(page_id=page_id).delete()


def rebuild_index() -> int:
    """Index every live course and lesson again (after the dictionary changed)."""
    from learning.models import CoursePage, LessonPage

    from .models import SearchEntry

    words = dictionary_terms()
    live_ids = []
    count = 0
    pages = list(CoursePage.objects.live().prefetch_related("indicators"))
    pages += list(LessonPage.objects.live())
    for page in pages:
        index_page(page, words=words)
        live_ids.append(page.pk)
        count += 1
    SearchEntry.objects.exclude(page_id__in=live_ids).delete()
    return count


# Searching ------------------------------------------------------------------------


@dataclass
class Hit:
    page: object
    kind: str
    score: int
    course: object = None
    excerpt: str = ""
    matched: list[str] = field(default_factory=list)


def _excerpt(text: str, terms: list[str], width: int = 80) -> str:
    flat = " ".join(text.split())
    lowered = normalise(flat)
    for term in terms:
        at = lowered.find(term)
        if at >= 0:
            # normalise() may drop characters; map back roughly by ratio.
            ratio = len(flat) / max(len(lowered), 1)
            start = max(int(at * ratio) - width // 3, 0)
            return ("…" if start else "") + flat[start : start + width] + "…"
    return flat[:width] + ("…" if len(flat) > width else "")


def search(query: str, *, limit: int = 50) -> tuple[list[str], list[Hit]]:
    """Courses and lessons matching the query: best first (title above body)."""
    from learning.models import CoursePage, LessonPage

    from .models import SearchEntry

    terms = query_terms(query)
    if not terms:
        return terms, []
    condition = reduce(
        or_,
        (
            Q(title_terms__contains=f" {t} ") | Q(body_terms__contains=f" {t} ")
            for t in terms
        ),
    )
    entries = list(SearchEntry.objects.filter(condition)[:500])
    scored = []
    for entry in entries:
        matched = [
            t
            for t in terms
            if f" {t} " in entry.title_terms or f" {t} " in entry.body_terms
        ]
        in_title = sum(1 for t in terms if f" {t} " in entry.title_terms)
        in_body = sum(min(entry.body_terms.count(f" {t} "), BODY_CAP) for t in terms)
        score = len(matched) * 1000 + in_title * TITLE_WEIGHT + in_body
        scored.append((score, entry, matched))
    scored.sort(key=lambda item: (-item[0], item[1].kind != "course", item[1].page_id))
    scored = scored[:limit]
    ids = [entry.page_id for _s, entry, _m in scored]
    courses = CoursePage.objects.live().in_bulk(ids)
    lessons = LessonPage.objects.live().in_bulk(ids)
    parents = {}
    if lessons:
        parent_paths = {lesson.path[: -lesson.steplen] for lesson in lessons.values()}
        parents = {
            c.path: c for c in CoursePage.objects.live().filter(path__in=parent_paths)
        }
    hits = []
    for score, entry, matched in scored:
        page = courses.get(entry.page_id) or lessons.get(entry.page_id)
        if page is None:
            continue
        course = (
            page if entry.kind == "course" else parents.get(page.path[: -page.steplen])
        )
        if course is None:
            continue
        hits.append(
            Hit(
                page=page,
                kind=entry.kind,
                score=score,
                course=course,
                excerpt=_excerpt(entry.plain_text or course.summary, matched),
                matched=matched,
            )
        )
    return terms, hits
