"""Moodle GIFT: reading and writing.

Read: ``//`` comments, ``$CATEGORY:``, ``::title::`` (becomes the code), ``[html]``-style
format markers, ``{}`` essay, ``{T}``/``{F}``, ``{#value:tolerance}`` and
``{#min..max}`` numeric, ``=``/``~`` options with ``%weight%`` and ``#feedback``,
``####general feedback`` (the explanation), escapes ``\\~ \\= \\# \\{ \\} \\:`` and ``\\n``.
A comment line ``// @meta points=2; difficulty=1; indicators=a,b; ...`` right before
a question carries what GIFT cannot say, so exports read back unchanged.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from organisation.tabular import ImportRejected, RowError

from . import QuestionRecord, code_from_text, number_text

SPECIAL = "~=#{}:"
META = "// @meta "
_PLACEHOLDER = "\x00"


def escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        out = out.replace(ch, "\\" + ch)
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


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if text.startswith(sep, i):
            parts.append("".join(current))
            current = []
            i += len(sep)
            continue
        current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


def _find_unescaped(text: str, ch: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ch:
            return i
        i += 1
    return -1


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
    value = Decimal(text.strip())
    whole = digits - places
    if value.is_finite() and value.adjusted() < whole:
        if abs(value.quantize(Decimal(1).scaleb(-places))) < Decimal(10) ** whole:
            return value
    raise InvalidOperation(text)


def _options(body: str) -> list[tuple[str, str]]:
    """Split an answer block into (marker, raw text) pairs at unescaped = and ~."""
    items, current, marker, i = [], [], None, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            current.append(body[i : i + 2])
            i += 2
            continue
        if ch in "=~":
            if marker is not None:
                items.append((marker, "".join(current)))
            elif "".join(current).strip():
                raise ValueError(_("text before the first = or ~ in the answers"))
            marker, current = ch, []
            i += 1
            continue
        current.append(ch)
        i += 1
    if marker is not None:
        items.append((marker, "".join(current)))
    return items


def _weight(text: str) -> tuple[Decimal | None, str]:
    text = text.strip()
    match = re.match(r"^%(-?[0-9.]+)%", text)
    if not match:
        return None, text
    return _number(match.group(1), 6, 5 - 2) / 100, text[match.end() :]


def _feedback(text: str) -> tuple[str, str]:
    parts = _split_unescaped(text, "#")
    return unescape(parts[0]).strip(), unescape("#".join(parts[1:])).strip()


def _answer_block(rec: QuestionRecord, body: str) -> None:
    parts = _split_unescaped(body, "####")
    body = parts[0]
    if len(parts) > 1:
        rec.explanation = unescape("####".join(parts[1:])).strip()
    stripped = body.strip()
    if not stripped:
        rec.type = "essay"
        return
    if re.fullmatch(r"(T|F|TRUE|FALSE)(#.*)?", stripped, flags=re.S):
        word = stripped.split("#", 1)[0]
        rec.type = "true_false"
        rec.correct_bool = word in ("T", "TRUE")
        return
    if stripped.startswith("#"):
        rec.type = "numeric"
        answers = stripped[1:].strip()
        candidates = (
            [(m, t) for m, t in _options(answers) if m == "="]
            if answers.startswith("=")
            else [("=", answers)]
        )
        for _marker, raw in candidates:
            weight, raw = _weight(raw)
            if weight is not None and weight < 1:
                continue
            value = _split_unescaped(raw, "#")[0].strip()
            if ".." in value:
                low, high = (_number(v) for v in value.split("..", 1))
                rec.numeric_answer = (low + high) / 2
                rec.tolerance = abs(high - low) / 2
            elif ":" in value:
                number, tol = value.split(":", 1)
                rec.numeric_answer, rec.tolerance = _number(number), _number(tol)
            else:
                rec.numeric_answer = _number(value)
            return
        raise ValueError(_("numeric question without a fully correct answer"))
    options = _options(stripped)
    if any("->" in raw for _m, raw in options):
        raise ValueError(_("matching questions are not supported"))
    markers = {m for m, _r in options}
    if markers == {"="}:
        rec.type = "short"
        for _m, raw in options:
            weight, raw = _weight(raw)
            if weight is not None and weight != 1:
                raise ValueError(
                    _("short answers with partial credit are not supported")
                )
            text, _fb = _feedback(raw)
            rec.accepted.append(text)
        return
    parsed = []
    for marker, raw in options:
        weight, raw = _weight(raw)
        text, feedback = _feedback(raw)
        if marker == "=":
            fraction = Decimal(1) if weight is None else weight
        else:
            fraction = Decimal(0) if weight is None else weight
        parsed.append({"text": text, "fraction": fraction, "feedback": feedback})
    rec.options = parsed
    if "=" in markers:
        rec.type = "single"
    else:
        rec.type = "multiple"
        if rec.multiple_grading is None:
            rec.multiple_grading = "partial"
    if not any(o["fraction"] > 0 for o in parsed):
        raise ValueError(_("no option is marked correct"))


def parse(text: str, *, default_category: str = "") -> list[QuestionRecord]:
    """Every question of a GIFT file, or ImportRejected listing every bad line."""
    errors: list[RowError] = []
    records: list[QuestionRecord] = []
    category = _category_path(default_category) if default_category else ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    block: list[str] = []
    block_start = 0
    meta: dict = {}

    def flush():
        nonlocal block, meta
        if not block:
            meta = {}
            return
        source = "\n".join(block)
        start = block_start
        block = []
        current_meta, meta = meta, {}
        try:
            records.append(_question(source, start, category, current_meta))
        except (ValueError, InvalidOperation, ArithmeticError) as error:
            message = str(error) if str(error) else _("malformed question")
            if isinstance(error, InvalidOperation):
                message = _("a number is malformed")
            errors.append(RowError(start, "gift", message))

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not block and stripped.startswith(META):
            meta = _parse_meta(stripped[len(META) :])
            continue
        if stripped.startswith("//"):
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


def _question(source: str, line: int, category: str, meta: dict) -> QuestionRecord:
    source = source.strip()
    code = ""
    if source.startswith("::"):
        end = source.find("::", 2)
        if end == -1:
            raise ValueError(_("the title is not closed with ::"))
        code = unescape(source[2:end]).strip()
        source = source[end + 2 :].strip()
    source = re.sub(r"^\[(html|moodle|plain|markdown)\]", "", source).strip()
    open_at = _find_unescaped(source, "{")
    if open_at == -1:
        raise ValueError(_("no answer block { … } found"))
    close_at = _find_unescaped(source, "}", open_at)
    if close_at == -1:
        raise ValueError(_("the answer block is not closed with }"))
    before, body, after = (
        source[:open_at],
        source[open_at + 1 : close_at],
        source[close_at + 1 :],
    )
    question_text = unescape(
        (before.rstrip() + (" ___ " + after.strip() if after.strip() else "")).strip()
    )
    question_text = re.sub(r"<br\s*/?>", "\n", question_text)
    if not question_text:
        raise ValueError(_("the question has no text"))
    if not category:
        raise ValueError(_("no category: add $CATEGORY: to the file or use --category"))
    rec = QuestionRecord(
        code=code or code_from_text("GIFT", question_text),
        category=category,
        type="single",
        text=question_text,
        line=line,
        multiple_grading=meta.get("grading") or None,
    )
    if rec.multiple_grading not in (None, "all_or_nothing", "partial"):
        raise ValueError(_("multiple_grading must be all_or_nothing or partial"))
    _answer_block(rec, body)
    if meta.get("points"):
        rec.points = _number(meta["points"], 6, 2)
    if meta.get("difficulty"):
        if meta["difficulty"] not in ("1", "2", "3"):
            raise ValueError(_("difficulty must be 1, 2 or 3"))
        rec.difficulty = int(meta["difficulty"])
    if meta.get("option_order"):
        if meta["option_order"] not in ("authored", "alphabetical", "random"):
            raise ValueError(_("option_order must be authored, alphabetical or random"))
        rec.option_order = meta["option_order"]
    if "indicators" in meta:
        rec.indicators = [c for c in meta["indicators"].split(",") if c]
    if "business_lines" in meta:
        rec.business_lines = [c for c in meta["business_lines"].split(",") if c]
    return rec


def _weight_text(fraction: Decimal) -> str:
    percent = (Decimal(fraction) * 100).normalize()
    return f"%{format(percent, 'f')}%"


def write(records: list[QuestionRecord]) -> str:
    out: list[str] = []
    category = None
    for rec in records:
        if rec.category != category:
            category = rec.category
            out.append(f"$CATEGORY: {category}")
            out.append("")
        meta = [
            f"points={number_text(rec.points or 1)}",
            f"difficulty={rec.difficulty or 2}",
            f"option_order={rec.option_order or 'random'}",
            f"grading={rec.multiple_grading or 'all_or_nothing'}",
            f"indicators={','.join(rec.indicators or [])}",
            f"business_lines={','.join(rec.business_lines or [])}",
        ]
        out.append(META + "; ".join(meta))
        general = f"####{escape(rec.explanation)}" if rec.explanation else ""
        head = f"::{escape(rec.code)}::{escape(rec.text)}"
        if rec.type == "essay":
            out.append(f"{head}{{{general}}}")
        elif rec.type == "true_false":
            out.append(f"{head}{{{'TRUE' if rec.correct_bool else 'FALSE'}{general}}}")
        elif rec.type == "numeric":
            value = number_text(rec.numeric_answer)
            tolerance = number_text(rec.tolerance or 0)
            answer = f"{value}:{tolerance}" if Decimal(rec.tolerance or 0) else value
            out.append(f"{head}{{#{answer}{general}}}")
        elif rec.type == "short":
            answers = " ".join(f"={escape(a)}" for a in rec.accepted)
            out.append(f"{head}{{{answers}{general}}}")
        else:
            lines = [f"{head}{{"]
            for option in rec.options:
                fraction = Decimal(option["fraction"])
                if rec.type == "single" and fraction == 1:
                    marker = "="
                elif rec.type == "single" and fraction == 0:
                    marker = "~"
                else:
                    marker = "~" + _weight_text(fraction)
                feedback = (
                    f"#{escape(option['feedback'])}" if option.get("feedback") else ""
                )
                lines.append(f"\t{marker}{escape(option['text'])}{feedback}")
            if general:
                lines.append(f"\t{general}")
            lines.append("}")
            out.extend(lines)
        out.append("")
    return "\n".join(out)
