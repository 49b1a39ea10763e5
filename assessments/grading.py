"""Marking one answer against a frozen question version. Pure functions, no database.

A version's ``data`` is described in :class:`assessments.models.QuestionVersion`.
``fraction_for`` returns the share of the points earned (0…1), or ``None`` when a
person must mark the answer (essays).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow

ONE = Decimal(1)
ZERO = Decimal(0)

# Answers, targets and tolerances live inside ±10¹⁵ (the bank stores 16 digits,
# six after the point). Anything larger is refused when saved, and a stored value
# outside it marks as wrong instead of raising: "1e999999999" once made Decimal's
# default context overflow on every submit and stopped the overdue-closing task.
NUMBER_LIMIT = Decimal("1e15")
# Every comparison runs in this context, never the thread's: 34 significant digits
# and exponents near zero, so no stored value can make the arithmetic trap.
NUMBER_CONTEXT = Context(
    prec=34, Emax=40, Emin=-40, traps=[InvalidOperation, DivisionByZero, Overflow]
)


def normalise_text(value: str) -> str:
    """Full-width to half-width, case and spacing folded: how short answers compare."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"\s+", " ", value).strip().casefold()


def parse_number(value) -> Decimal | None:
    """A learner's number: full-width digits, thousands commas, a ratio ``1:1.31`` or ``%``.

    None when the text is not a number or the number is out of range.
    """
    number = read_number(value)
    return number if number is not None and in_range(number) else None


def read_number(value) -> Decimal | None:
    """The number the text spells, unchecked (may be huge, infinite or NaN)."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().replace(",", "")
    text = text.replace("：", ":")
    if not text:
        return None
    if ":" in text:
        left, _sep, right = text.partition(":")
        try:
            if Decimal(left.strip()) == ONE:
                text = right.strip()
        except InvalidOperation:
            return None
    text = text.rstrip("%").strip()
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def in_range(number: Decimal) -> bool:
    """Finite and smaller than ``NUMBER_LIMIT`` in size (at most 15 whole digits)."""
    # Comparison is exact and never traps, whatever the exponent.
    return number.is_finite() and number.copy_abs() < NUMBER_LIMIT


def _stored_number(value) -> Decimal | None:
    """A target or tolerance from a frozen version, or None if it is unusable."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if in_range(number) else None


def _clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    return max(low, min(high, value))


def fraction_for(data: dict, answer: dict | None) -> Decimal | None:
    answer = answer or {}
    kind = data["type"]
    if kind == "essay":
        return None
    if kind in ("single", "multiple"):
        chosen = set(answer.get("keys") or [])
        fractions = {o["key"]: Decimal(str(o["fraction"])) for o in data["options"]}
        chosen &= set(fractions)
        if not chosen:
            return ZERO
        if kind == "single":
            key = next(iter(chosen)) if len(chosen) == 1 else None
            return _clamp(fractions[key], Decimal(-1)) if key else ZERO
        if data.get("multiple_grading") == "partial":
            return _clamp(sum((fractions[k] for k in chosen), ZERO))
        right = {k for k, f in fractions.items() if f > 0}
        return ONE if chosen == right else ZERO
    if kind == "true_false":
        value = answer.get("value")
        if value is None:
            return ZERO
        return ONE if bool(value) == bool(data.get("correct_bool")) else ZERO
    if kind == "numeric":
        if data.get("answers"):
            best = graded_numeric_answer(
                data["answers"], parse_number(answer.get("text"))
            )
            return _clamp(Decimal(str(best["fraction"]))) if best else ZERO
        return _numeric_fraction(data, answer)
    if kind == "short":
        given = normalise_text(answer.get("text", ""))
        if not given:
            return ZERO
        if data.get("answers"):
            best = graded_short_answer(data["answers"], given)
            return _clamp(Decimal(str(best["fraction"]))) if best else ZERO
        accepted = {normalise_text(a) for a in data.get("accepted") or []}
        return ONE if given in accepted else ZERO
    return ZERO


def _numeric_fraction(data: dict, answer: dict) -> Decimal:
    """Right within the tolerance; never raises, whatever was stored."""
    number = parse_number(answer.get("text"))
    if number is None or data.get("numeric_answer") in (None, ""):
        return ZERO
    target = _stored_number(data["numeric_answer"])
    tolerance = _stored_number(data.get("tolerance") or 0)
    if target is None or tolerance is None:
        return ZERO
    try:
        distance = NUMBER_CONTEXT.abs(NUMBER_CONTEXT.subtract(number, target))
    except ArithmeticError:
        return ZERO
    return ONE if distance <= tolerance else ZERO


# Answers imported with partial credit (``data["answers"]``). Kept apart from the
# plain path above and from number parsing: these only choose among answers.


def _short_matches(pattern: str, given: str) -> bool:
    """Moodle's short-answer match: ``*`` stands for any run of characters."""
    pattern = normalise_text(pattern)
    if "*" not in pattern:
        return pattern == given
    pieces = pattern.split("*")
    if not given.startswith(pieces[0]) or not given.endswith(pieces[-1]):
        return False
    if len(given) < len(pieces[0]) + len(pieces[-1]):
        return False
    # Greedy left-to-right search for the middle pieces: linear, no regex.
    position, end = len(pieces[0]), len(given) - len(pieces[-1])
    for piece in pieces[1:-1]:
        found = given.find(piece, position, end)
        if found == -1:
            return False
        position = found + len(piece)
    return True


def graded_short_answer(answers: list[dict], given: str) -> dict | None:
    """The first accepted answer that matches (normalised) text, as Moodle
    takes the first match in authored order."""
    for candidate in answers:
        if _short_matches(candidate.get("text", ""), given):
            return candidate
    return None


def graded_numeric_answer(answers: list[dict], number: Decimal | None) -> dict | None:
    """The first numeric answer whose range holds the number; a ``*`` answer
    catches anything else."""
    for candidate in answers:
        if candidate.get("value") == "*":
            return candidate
        if number is None:
            continue
        target = _stored_number(candidate["value"])
        tolerance = _stored_number(candidate.get("tolerance") or 0)
        if target is None or tolerance is None:
            continue
        try:
            distance = NUMBER_CONTEXT.abs(NUMBER_CONTEXT.subtract(number, target))
        except ArithmeticError:
            continue
        if distance <= tolerance:
            return candidate
    return None


def answer_feedback(data: dict, answer: dict | None) -> str:
    """The feedback written for the learner's answer (short, numeric, true/false)."""
    answer = answer or {}
    answers = data.get("answers") or []
    if not answers:
        return ""
    kind = data["type"]
    matched = None
    if kind == "true_false" and answer.get("value") is not None:
        matched = next(
            (a for a in answers if bool(a.get("value")) == bool(answer["value"])), None
        )
    elif kind == "short":
        given = normalise_text(answer.get("text", ""))
        matched = graded_short_answer(answers, given) if given else None
    elif kind == "numeric" and str(answer.get("text") or "").strip():
        matched = graded_numeric_answer(answers, parse_number(answer.get("text")))
    return (matched or {}).get("feedback", "")


def is_answered(data: dict, answer: dict | None) -> bool:
    answer = answer or {}
    if data["type"] in ("single", "multiple"):
        return bool(answer.get("keys"))
    if data["type"] == "true_false":
        return answer.get("value") is not None
    return bool(str(answer.get("text") or "").strip())


def right_answer_text(data: dict) -> str:
    """The right answer in words, for review pages after submission."""
    kind = data["type"]
    if kind in ("single", "multiple"):
        return "；".join(
            o["text"] for o in data["options"] if Decimal(str(o["fraction"])) > 0
        )
    if kind == "true_false":
        return "true" if data.get("correct_bool") else "false"
    if kind == "numeric" and data.get("answers"):
        return " | ".join(
            _numeric_text(a["value"], a.get("tolerance"))
            for a in data["answers"]
            if a.get("value") != "*" and Decimal(str(a["fraction"])) >= 1
        )
    if kind == "short" and data.get("answers"):
        return " | ".join(
            a["text"] for a in data["answers"] if Decimal(str(a["fraction"])) >= 1
        )
    if kind == "numeric":
        value = Decimal(str(data.get("numeric_answer") or 0)).normalize()
        tol = Decimal(str(data.get("tolerance") or 0)).normalize()
        return f"{value:f}" + (f" ± {tol:f}" if tol else "")
    if kind == "short":
        return " | ".join(data.get("accepted") or [])
    return ""


def _numeric_text(value, tolerance) -> str:
    value = Decimal(str(value)).normalize()
    tol = Decimal(str(tolerance or 0)).normalize()
    return f"{value:f}" + (f" ± {tol:f}" if tol else "")


def random_guess_score(data: dict) -> Decimal | None:
    """Expected fraction from answering at random (Moodle's random guess score)."""
    kind = data["type"]
    if kind == "true_false":
        return Decimal("0.5")
    if kind == "single" and data["options"]:
        total = sum(
            (max(ZERO, Decimal(str(o["fraction"]))) for o in data["options"]), ZERO
        )
        return total / len(data["options"])
    return ZERO if kind in ("numeric", "short") else None
