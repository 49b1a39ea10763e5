"""Moodle GIFT: reading and writing, following Moodle's own importer case by case.

Read, as Moodle reads it:

- questions are separated by blank lines; whole-line ``//`` comments are dropped,
  except ``[id:…]`` and ``[tag:…]`` in a comment right above a question (its
  idnumber and tags) and our ``// @meta`` line (what GIFT cannot say: points,
  difficulty, indicators…, so our exports read back unchanged);
- ``$CATEGORY:`` sets the category of the questions after it;
- ``::title::`` becomes the code; ``[plain]``, ``[html]``, ``[markdown]`` and
  ``[moodle]`` mark the format of the question text, and of each option and
  feedback (which otherwise take the question's format);
- the answer block decides the type in Moodle's order: ``{}`` essay, ``{#…}``
  numeric, any ``~`` multiple choice (single when it has an ``=``), ``=`` with
  ``->`` matching, ``T``/``F``/``TRUE``/``FALSE`` true/false, else short answer;
- ``%weight%`` gives partial credit, ``#`` feedback, ``####`` general feedback (the
  explanation); numeric answers are ``value``, ``value:tolerance`` or
  ``min..max``, several of them with ``=`` and a ``~`` branch for any other answer;
- escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n``.

What the platform does not have (matching, cloze/embedded answers, descriptions)
is refused with the line; what is read but cannot be kept as written is listed as a
warning on the record. Every step is one pass over the text: the time is linear in
the size of the file, and a file may hold at most ``QUESTION_IMPORT_MAX_QUESTIONS``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from organisation.tabular import ImportRejected, RowError

from .. import richtext
from . import QuestionRecord, code_for, graded_answers, number_text

SPECIAL = "~=#{}:"
META = "// @meta "
MARKERS = ("html", "moodle", "plain", "markdown")
_MARKER = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
# Bounded repetitions: a line of "[tag:[tag:…" must not take quadratic time.
_TAG = re.compile(r"\[(id|tag):((?:[^\]\\]|\\.){0,200})\]")
_CLOZE = re.compile(
    r"^\s*\d*\s*:\s*(MULTICHOICE\w*|MC\w*|SHORTANSWER\w*|SA\b|MW\b|NUMERICAL|NM\b)",
    re.I,
)
# Tags that make an unmarked text HTML, as Moodle's default "moodle" format reads it.
_HTML_TAG = re.compile(
    r"</?(p|br|b|strong|i|em|u|sub|sup|ul|ol|li|table|tr|td|th|a|img|span|div|pre|code)"
    r"\b[^<>]{0,500}>",
    re.I,
)


class Refused(ValueError):
    """A question the platform cannot hold as the file says."""


def escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        out = out.replace(ch, "\\" + ch)
    # "->" would make a short answer read as a matching question.
    out = out.replace("->", "-\\>")
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def unescape(text: str) -> str:
    result, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            result.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        result.append(ch)
        i += 1
    return "".join(result)


def _unescaped_positions(text: str, chars: str) -> list[int]:
    """Indexes of the characters of ``chars`` that are not escaped."""
    found, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch in chars:
            found.append(i)
        i += 1
    return found


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, start, i = [], 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _find_unescaped(text: str, token: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _has_unescaped(text: str, token: str) -> bool:
    return _find_unescaped(text, token) != -1


def _category_path(raw: str) -> str:
    parts = [p.strip() for p in raw.strip().split("/") if p.strip()]
    while parts and parts[0] in (
        "$course$",
        "$system$",
        "$module$",
        "$cat1$",
        "$cat2$",
        "$cat3$",
        "top",
    ):
        parts.pop(0)
    return "/".join(parts)


def _parse_meta(text: str) -> dict:
    meta = {}
    for part in text.split(";"):
        if "=" in part:
            key, _sep, value = part.partition("=")
            meta[key.strip()] = value.strip()
    return meta


def _number(text: str, digits: int = 16, places: int = 6) -> Decimal:
    """A finite number that a column of ``digits`` digits, ``places`` of them after the
    point, can hold (numeric answers and tolerances by default); InvalidOperation else."""
    text = text.strip()
    # Decimal() reads exponents of any size; a number this long is never an answer.
    if len(text) > 40:
        raise InvalidOperation(text)
    value = Decimal(text)
    whole = digits - places
    if value.is_finite() and value.adjusted() < whole:
        if abs(value.quantize(Decimal(1).scaleb(-places))) < Decimal(10) ** whole:
            return value
    raise InvalidOperation(text)


_WEIGHT = re.compile(r"^\s*%(-?[0-9]+(?:\.[0-9]*)?)%")


def _weight(text: str) -> tuple[Decimal | None, str]:
    match = _WEIGHT.match(text)
    if not match:
        return None, text.strip()
    value = _number(match.group(1), 8, 5)
    if not -100 <= value <= 100:
        raise Refused(_("a weight must be between -100%% and 100%%"))
    return value / 100, text[match.end() :].strip()


def _split_answers(body: str) -> list[tuple[str, str]]:
    """Split an answer block into (marker, raw text) at unescaped = and ~."""
    cuts = _unescaped_positions(body, "=~")
    if not cuts:
        return []
    if body[: cuts[0]].strip():
        raise Refused(_("text before the first = or ~ in the answers"))
    items = []
    for index, cut in enumerate(cuts):
        end = cuts[index + 1] if index + 1 < len(cuts) else len(body)
        items.append((body[cut], body[cut + 1 : end]))
    return items


class _Texts:
    """The formats of one question's parts, made one format for the whole question.

    Parts come as (raw escaped text, marker or None). A part without a marker takes
    the question text's format, as in Moodle. When parts disagree the question is
    kept as HTML: plain text escaped, Markdown rendered (and a warning says so).
    """

    def __init__(self, marker: str | None, warnings: list[str]):
        self.warnings = warnings
        self.question_marker = marker
        self.parts: list[tuple[str, str]] = []
        self.warned_unmarked_html = False

    @staticmethod
    def split_marker(raw: str) -> tuple[str | None, str]:
        match = _MARKER.match(raw)
        if not match:
            return None, raw
        return match.group(1).lower(), raw[match.end() :]

    def add(self, raw: str) -> int:
        """Add a part (the question text first, already without its marker)."""
        if self.parts:
            marker, raw = self.split_marker(raw)
        else:
            marker = self.question_marker
        self.parts.append((unescape(raw).strip(), marker))
        return len(self.parts) - 1

    def resolve(self) -> tuple[str, list[str]]:
        question_format = self._format_of(self.question_marker, self.parts[0][0])
        formats = [question_format] + [
            question_format if marker is None else self._format_of(marker, text)
            for text, marker in self.parts[1:]
        ]
        chosen = question_format
        if len({f for f, (t, _m) in zip(formats, self.parts, strict=True) if t}) > 1:
            chosen = richtext.HTML
            self.warnings.append(
                _("parts written in different formats were all converted to HTML")
            )
        texts = []
        for fmt, (text, _marker) in zip(formats, self.parts, strict=True):
            if chosen == richtext.HTML and fmt != richtext.HTML:
                text = richtext.to_html(text, fmt) if text else ""
            if chosen == richtext.HTML and text:
                clean = richtext.sanitise(text)
                if clean != text and _differs(clean, text):
                    self.warnings.append(
                        _(
                            "markup that is not allowed (scripts, styles, outside "
                            "images…) was removed"
                        )
                    )
                text = clean
            texts.append(text)
        return chosen, texts

    def _format_of(self, marker: str | None, text: str) -> str:
        if marker in (richtext.HTML, richtext.MARKDOWN, richtext.PLAIN):
            return marker
        # Moodle's default "moodle" format shows HTML tags as HTML.
        if _HTML_TAG.search(text or ""):
            if marker == "moodle" or marker is None:
                if not self.warned_unmarked_html:
                    self.warned_unmarked_html = True
                    self.warnings.append(
                        _(
                            "text without a format marker holds HTML tags: kept as "
                            "HTML, as Moodle shows it"
                        )
                    )
            return richtext.HTML
        return richtext.PLAIN


def _differs(clean: str, original: str) -> bool:
    """Whether sanitising took something away (not just normalised the markup)."""
    return richtext.as_text(clean, "html") != richtext.as_text(original, "html") or (
        len(re.findall(r"<\w", clean)) != len(re.findall(r"<\w", original))
    )


def _read_tags(comments: list[str]) -> tuple[str | None, list[str] | None]:
    idnumber, tags = None, None
    for line in comments:
        for kind, value in _TAG.findall(line):
            value = unescape(value).strip()
            if kind == "id":
                idnumber = value
            elif value:
                tags = (tags or []) + [value]
    return idnumber, tags


def parse(text: str, *, default_category: str = "") -> list[QuestionRecord]:
    """Every question of a GIFT file, or ImportRejected listing every bad line."""
    limit = settings.QUESTION_IMPORT_MAX_QUESTIONS
    errors: list[RowError] = []
    records: list[QuestionRecord] = []
    category = _category_path(default_category) if default_category else ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    block: list[str] = []
    comments: list[str] = []
    block_start = 0
    meta: dict = {}
    count = 0

    def flush():
        nonlocal block, meta, comments, count
        if not block:
            meta, comments = {}, []
            return
        count += 1
        if count > limit:
            raise ImportRejected(
                [
                    RowError(
                        block_start,
                        "gift",
                        _(
                            "the file holds more than %(max)s questions: split it "
                            "into files of at most %(max)s questions each"
                        )
                        % {"max": limit},
                    )
                ]
            )
        source = "\n".join(block)
        start = block_start
        current_meta, current_comments = meta, comments
        block, meta, comments = [], {}, []
        try:
            records.append(
                _question(source, start, category, current_meta, current_comments)
            )
        except (ValueError, ArithmeticError) as error:
            message = str(error) if str(error) else _("malformed question")
            if isinstance(error, InvalidOperation):
                message = _("a number is malformed or too large")
            errors.append(RowError(start, "gift", message))

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith(META) and not block:
            meta = _parse_meta(stripped[len(META) :])
            continue
        if stripped.startswith("//"):
            if not block:
                comments.append(stripped)
            continue
        if stripped.startswith("$CATEGORY:"):
            flush()
            category = _category_path(stripped[len("$CATEGORY:") :])
            continue
        if not stripped:
            # As in Moodle, a blank line always ends a question.
            flush()
            continue
        if not block:
            block_start = number
        block.append(line)
    flush()
    # Duplicate codes are refused by questions_import, for every format alike.
    if errors:
        raise ImportRejected(errors)
    return records


def _split_title(source: str, warnings: list[str]) -> tuple[str, str]:
    """(code, rest) of a question that may open with a ``::title::``; a title too
    long for a code is dropped with a warning."""
    code = ""
    if source.startswith("::"):
        end = _find_unescaped(source, "::", 2)
        if end == -1:
            raise Refused(_("the title is not closed with ::"))
        code = unescape(source[2:end]).strip()
        source = source[end + 2 :].strip()
    if len(code) > 64:
        warnings.append(
            _(
                "the title is longer than 64 characters, so the code was derived "
                "from the question instead: %(title)s"
            )
            % {"title": code}
        )
        code = ""
    return code, source


def _apply_meta(rec: QuestionRecord, meta: dict) -> None:
    """Points, difficulty, option order and codes from the ``// @meta`` line."""
    if meta.get("points"):
        rec.points = _number(meta["points"], 6, 2)
    if meta.get("difficulty"):
        if meta["difficulty"] not in ("1", "2", "3"):
            raise Refused(_("difficulty must be 1, 2 or 3"))
        rec.difficulty = int(meta["difficulty"])
    if meta.get("option_order"):
        if meta["option_order"] not in ("authored", "alphabetical", "random"):
            raise Refused(_("option_order must be authored, alphabetical or random"))
        rec.option_order = meta["option_order"]
    if "indicators" in meta:
        rec.indicators = [c for c in meta["indicators"].split(",") if c]
    if "business_lines" in meta:
        rec.business_lines = [c for c in meta["business_lines"].split(",") if c]


def _question(
    source: str, line: int, category: str, meta: dict, comments: list[str]
) -> QuestionRecord:
    warnings: list[str] = []
    code, source = _split_title(source.strip(), warnings)
    open_at = _find_unescaped(source, "{")
    if open_at == -1:
        raise Refused(
            _("a description (text without an answer block { … }) is not supported")
        )
    close_at = _find_unescaped(source, "}", open_at)
    if close_at == -1:
        raise Refused(_("the answer block is not closed with }"))
    before, body, after = (
        source[:open_at],
        source[open_at + 1 : close_at],
        source[close_at + 1 :],
    )
    if _has_unescaped(after, "{") or _CLOZE.match(body):
        raise Refused(
            _("embedded answers (cloze, several answer blocks) are not supported")
        )
    marker, before = _Texts.split_marker(before)
    texts = _Texts(marker, warnings)
    raw_text = before.rstrip() + (" ___ " + after.strip() if after.strip() else "")
    texts.add(raw_text)
    if not unescape(raw_text).strip():
        raise Refused(_("the question has no text"))
    if not category:
        raise Refused(_("no category: add $CATEGORY: to the file or use --category"))
    rec = QuestionRecord(
        code=code,
        category=category,
        type="single",
        text="",
        line=line,
        multiple_grading=meta.get("grading") or None,
        warnings=warnings,
    )
    if rec.multiple_grading not in (None, "all_or_nothing", "partial"):
        raise Refused(_("multiple_grading must be all_or_nothing or partial"))
    slots = _answer_block(rec, body, texts)
    fmt, resolved = texts.resolve()
    rec.text_format = fmt
    rec.text = resolved[0]
    if fmt == richtext.PLAIN:
        rec.text = re.sub(r"<br\s*/?>", "\n", rec.text)
    for setter, index in slots:
        setter(resolved[index])
    rec.idnumber, rec.tags = _read_tags(comments)
    _apply_meta(rec, meta)
    if not rec.code:
        rec.code = code_for("GIFT", rec)
    return rec


def _feedback_parts(raw: str) -> tuple[str, str | None]:
    """(answer, feedback raw) split at the first unescaped #."""
    at = _find_unescaped(raw, "#")
    if at == -1:
        return raw, None
    return raw[:at], raw[at + 1 :]


def _answer_block(rec: QuestionRecord, body: str, texts: _Texts) -> list:
    """Fill ``rec`` from the answer block; returns (setter, part index) pairs for
    the texts that wait for the question's format to be settled."""
    slots: list = []

    def later(raw: str, setter) -> None:
        slots.append((setter, texts.add(raw)))

    parts = _split_unescaped(body, "####")
    body = parts[0]
    if len(parts) > 1:
        later("####".join(parts[1:]), lambda v: setattr(rec, "explanation", v))
    stripped = body.strip()
    if not stripped:
        rec.type = "essay"
        return slots
    if stripped.startswith("#"):
        _numeric(rec, stripped[1:], later)
        return slots
    if _has_unescaped(stripped, "~"):
        _choice(rec, stripped, later)
        return slots
    if _has_unescaped(stripped, "=") and _has_unescaped(stripped, "->"):
        raise Refused(_("matching questions are not supported"))
    word, feedback = _feedback_parts(stripped)
    if word.strip().upper() in ("T", "TRUE", "F", "FALSE"):
        _true_false(rec, word.strip().upper(), feedback, later)
        return slots
    _short(rec, stripped, later)
    return slots


def _true_false(rec, word, feedback, later) -> None:
    rec.type = "true_false"
    rec.correct_bool = word in ("T", "TRUE")
    if feedback is None:
        return
    # Moodle: the first feedback is shown for a wrong answer, the second for a
    # right one.
    pieces = _split_unescaped(feedback, "#")
    wrong = pieces[0]
    right = "#".join(pieces[1:]) if len(pieces) > 1 else ""
    answers = [
        {"value": rec.correct_bool, "feedback": ""},
        {"value": not rec.correct_bool, "feedback": ""},
    ]
    later(right, lambda v: answers[0].__setitem__("feedback", v))
    later(wrong, lambda v: answers[1].__setitem__("feedback", v))
    rec.answers = answers


def _choice(rec, body, later) -> None:
    items = _split_answers(body)
    options = []
    for marker, raw in items:
        weight, raw = _weight(raw)
        text_raw, feedback_raw = _feedback_parts(raw)
        if marker == "=":
            fraction = Decimal(1) if weight is None else weight
        else:
            fraction = Decimal(0) if weight is None else weight
        option = {"text": "", "fraction": fraction, "feedback": ""}
        later(text_raw, lambda v, o=option: o.__setitem__("text", v))
        if feedback_raw is not None:
            later(feedback_raw, lambda v, o=option: o.__setitem__("feedback", v))
        options.append(option)
    rec.options = options
    if any(m == "=" for m, _r in items):
        rec.type = "single"
    else:
        rec.type = "multiple"
        if rec.multiple_grading is None:
            rec.multiple_grading = "partial"
    if not any(o["fraction"] > 0 for o in options):
        raise Refused(_("no option is marked correct"))


def _short(rec, body, later) -> None:
    rec.type = "short"
    items = _split_answers(body)
    if not items:
        raise Refused(_("a short answer needs = before each accepted answer"))
    answers = []
    for _marker, raw in items:
        weight, raw = _weight(raw)
        fraction = Decimal(1) if weight is None else weight
        if fraction < 0:
            raise Refused(_("a short answer cannot earn a negative mark"))
        text_raw, feedback_raw = _feedback_parts(raw)
        _fmt, text_raw = _Texts.split_marker(text_raw)
        text = unescape(text_raw).strip()
        if not text:
            raise Refused(_("an accepted answer is empty"))
        answer = {"text": text, "fraction": fraction, "feedback": ""}
        if feedback_raw is not None:
            later(feedback_raw, lambda v, a=answer: a.__setitem__("feedback", v))
        answers.append(answer)
    if not any(a["fraction"] > 0 for a in answers):
        raise Refused(_("no accepted answer earns marks"))
    rec.answers = answers
    rec.accepted = [a["text"] for a in answers if a["fraction"] == 1]


def _numeric(rec, body, later) -> None:
    """``{#…}``: one answer, or ``=`` answers with weights, and a ``~`` branch."""
    rec.type = "numeric"
    body = body.strip()
    wrong_at = _find_unescaped(body, "~")
    wrong = None
    if wrong_at != -1:
        body, wrong = body[:wrong_at], body[wrong_at + 1 :]
    if not _has_unescaped(body, "="):
        body = "=" + body
    answers = []
    for _marker, raw in _split_answers(body):
        weight, raw = _weight(raw)
        value_raw, feedback_raw = _feedback_parts(raw)
        value = unescape(value_raw).strip()
        answer = _numeric_answer(value)
        answer["fraction"] = Decimal(1) if weight is None else weight
        answer["feedback"] = ""
        if feedback_raw is not None:
            later(feedback_raw, lambda v, a=answer: a.__setitem__("feedback", v))
        answers.append(answer)
    if wrong is not None:
        head, feedback_raw = _feedback_parts(wrong)
        if head.strip():
            rec.warnings.append(
                _(
                    "text between ~ and # in a numeric answer is not a number Moodle "
                    "reads and was left out: %(text)s"
                )
                % {"text": unescape(head).strip()}
            )
        answer = {"value": "*", "tolerance": "0", "fraction": Decimal(0)}
        answer["feedback"] = ""
        if feedback_raw is not None:
            later(feedback_raw, lambda v, a=answer: a.__setitem__("feedback", v))
        answers.append(answer)
    scored = [a for a in answers if a["value"] != "*" and a["fraction"] > 0]
    if not scored:
        raise Refused(_("numeric question without an answer that earns marks"))
    best = max(scored, key=lambda a: a["fraction"])
    rec.numeric_answer = Decimal(best["value"])
    rec.tolerance = Decimal(best["tolerance"])
    rec.answers = answers


def _numeric_answer(value: str) -> dict:
    if value == "*":
        return {"value": "*", "tolerance": "0"}
    if ".." in value:
        low_text, _sep, high_text = value.partition("..")
        low, high = _number(low_text), _number(high_text)
        if low > high:
            raise Refused(_("a range must be written low..high"))
        middle, tolerance = (low + high) / 2, (high - low) / 2
    elif ":" in value:
        number, _sep, tol = value.partition(":")
        middle, tolerance = _number(number), abs(_number(tol))
    else:
        middle, tolerance = _number(value), Decimal(0)
    return {"value": number_text(middle), "tolerance": number_text(tolerance)}


# Writing ---------------------------------------------------------------------


def _weight_text(fraction) -> str:
    percent = (Decimal(str(fraction)) * 100).normalize()
    return f"%{format(percent, 'f')}%"


def _part(text: str, fmt: str) -> str:
    """A text part: escaped, with its format marker when it could be misread."""
    out = escape(text or "")
    if out.lstrip().startswith("[") or out != out.strip():
        out = f"[{fmt}]{out}"
    return out


def _answer_text(text: str, fraction, *, default) -> str:
    """An option or accepted answer with its weight, written out whenever the
    text starts with % (it would read as a weight) or the weight is not the
    marker's default."""
    out = escape(text)
    if out.lstrip().startswith("[") or out != out.strip():
        # Accepted answers are plain text; the marker only shields a leading "[".
        out = f"[plain]{out}"
    fraction = Decimal(str(fraction))
    if fraction != default or out.startswith("%"):
        return _weight_text(fraction) + out
    return out


def _feedback_text(feedback: str, fmt: str) -> str:
    return f"#{_part(feedback, fmt)}" if feedback else ""


def _tag_comment(rec: QuestionRecord) -> str | None:
    items = []
    if rec.idnumber:
        items.append(f"[id:{_tag_escape(rec.idnumber)}]")
    items.extend(f"[tag:{_tag_escape(t)}]" for t in rec.tags or [])
    return "// " + " ".join(items) if items else None


def _tag_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("]", "\\]")


def write(records: list[QuestionRecord]) -> str:
    out: list[str] = []
    category = None
    for rec in records:
        if rec.category != category:
            category = rec.category
            out.append(f"$CATEGORY: {category}")
            out.append("")
        fmt = rec.text_format or richtext.PLAIN
        meta = [
            f"points={number_text(rec.points or 1)}",
            f"difficulty={rec.difficulty or 2}",
            f"option_order={rec.option_order or 'random'}",
            f"grading={rec.multiple_grading or 'all_or_nothing'}",
            f"indicators={','.join(rec.indicators or [])}",
            f"business_lines={','.join(rec.business_lines or [])}",
        ]
        tags = _tag_comment(rec)
        if tags:
            out.append(tags)
        out.append(META + "; ".join(meta))
        general = f"####{_part(rec.explanation, fmt)}" if rec.explanation else ""
        text = escape(rec.text)
        head = f"::{escape(rec.code)}::[{fmt}]{text}"
        if rec.type == "essay":
            out.append(f"{head}{{{general}}}")
        elif rec.type == "true_false":
            feedback = ""
            by_value = {
                bool(a.get("value")): a.get("feedback", "") for a in rec.answers
            }
            right = by_value.get(bool(rec.correct_bool), "")
            wrong = by_value.get(not rec.correct_bool, "")
            if right:
                feedback = f"#{_part(wrong, fmt)}#{_part(right, fmt)}"
            elif wrong:
                # "#wrong#" followed by "####" would read as five #.
                feedback = f"#{_part(wrong, fmt)}"
            word = "TRUE" if rec.correct_bool else "FALSE"
            out.append(f"{head}{{{word}{feedback}{general}}}")
        elif rec.type == "numeric":
            lines = [f"{head}{{#"]
            for answer in graded_answers(rec):
                feedback = _feedback_text(answer.get("feedback", ""), fmt)
                if answer["value"] == "*" and Decimal(str(answer["fraction"])) == 0:
                    lines.append(f"\t~{feedback}")
                    continue
                value = answer["value"]
                if answer["value"] != "*" and Decimal(str(answer["tolerance"] or 0)):
                    value = f"{value}:{number_text(answer['tolerance'])}"
                weight = _weight_text(answer["fraction"])
                lines.append(f"\t={weight}{value}{feedback}")
            if general:
                lines.append(f"\t{general}")
            lines.append("}")
            out.extend(lines)
        elif rec.type == "short":
            answers = " ".join(
                "="
                + _answer_text(a["text"], a["fraction"], default=Decimal(1))
                + _feedback_text(a.get("feedback", ""), fmt)
                for a in graded_answers(rec)
            )
            out.append(f"{head}{{{answers}{general}}}")
        else:
            out.extend(_write_choice(rec, head, general, fmt))
        out.append("")
    return "\n".join(out)


def _write_choice(rec, head, general, fmt) -> list[str]:
    lines = [f"{head}{{"]
    fractions = [Decimal(str(o["fraction"])) for o in rec.options]
    # A single-choice question is read as such when it has an "="; a multiple one
    # when it has none. Every other option is a "~" with its weight.
    first_right = fractions.index(max(fractions)) if rec.type == "single" else -1
    for index, option in enumerate(rec.options):
        fraction = fractions[index]
        marker = "=" if index == first_right else "~"
        default = Decimal(1) if marker == "=" else Decimal(0)
        text = _choice_text(option["text"], fmt)
        if fraction != default or text.startswith("%"):
            text = _weight_text(fraction) + text
        lines.append(
            f"\t{marker}{text}{_feedback_text(option.get('feedback', ''), fmt)}"
        )
    if general:
        lines.append(f"\t{general}")
    lines.append("}")
    return lines


def _choice_text(text: str, fmt: str) -> str:
    out = escape(text)
    if out.lstrip().startswith("[") or out != out.strip() or not out:
        out = f"[{fmt}]{out}"
    return out
