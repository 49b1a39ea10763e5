"""What templates receive about a question. Before submission only text and option
texts with opaque keys leave the server; marks, fractions, feedback and the right
answer are added only where the review options (or a checked item) allow it."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from . import grading
from .models import AttemptItem, Quiz

LETTERS = "ABCDEFGHIJKLMNOP"


def _figure(data: dict):
    if not data.get("figure_id"):
        return None
    from wagtail.images import get_image_model

    return get_image_model().objects.filter(pk=data["figure_id"]).first()


def _options(item: AttemptItem, data: dict) -> list[dict]:
    by_key = {o["key"]: o for o in data.get("options") or []}
    chosen = set((item.response.answer or {}).get("keys") or [])
    return [
        {
            "key": key,
            "letter": LETTERS[i],
            "text": by_key[key]["text"],
            "chosen": key in chosen,
        }
        for i, key in enumerate(item.option_keys)
        if key in by_key
    ]


def item_view(item: AttemptItem, quiz: Quiz) -> dict:
    """A question to answer. Feedback only for items already checked (immediate mode)."""
    data = item.version.data
    answer = item.response.answer or {}
    view = {
        "position": item.position,
        "type": data["type"],
        "text": data["text"],
        "text_format": data.get("text_format", "plain"),
        "points": Decimal(data["points"]).normalize(),
        "figure": _figure(data),
        "options": _options(item, data),
        "value": answer.get("value"),
        "text_answer": answer.get("text", ""),
        "flagged": item.flagged,
        "locked": bool(item.checked_at),
        "feedback": None,
    }
    if item.checked_at:
        view["feedback"] = _feedback(item, data, full=True)
    return view


def _feedback(item: AttemptItem, data: dict, *, full: bool) -> dict:
    response = item.response
    right_keys = {
        o["key"] for o in data.get("options") or [] if Decimal(str(o["fraction"])) > 0
    }
    chosen = set((response.answer or {}).get("keys") or [])
    option_feedback = [
        o["feedback"]
        for o in data.get("options") or []
        if o["key"] in chosen and o.get("feedback")
    ]
    answer_feedback = grading.answer_feedback(data, response.answer)
    if answer_feedback:
        option_feedback.append(answer_feedback)
    return {
        "awaiting": response.needs_marking,
        "correct": response.fraction is not None and response.fraction >= 1,
        "partial": response.fraction is not None and 0 < response.fraction < 1,
        "score": response.score,
        "right_keys": right_keys,
        "right_answer": grading.right_answer_text(data),
        "explanation": data.get("explanation", ""),
        "text_format": data.get("text_format", "plain"),
        "option_feedback": option_feedback,
        "comment": response.comment,
    }


def review_options(quiz: Quiz, *, attempts_left: int | None = 0) -> dict:
    """What the result page may show. ``attempts_left`` is the learner's remaining
    attempts (None: unlimited); an exam withholds right answers and explanations
    while any are left, until the quiz closes."""
    closed = bool(quiz.close_at and timezone.now() >= quiz.close_at)
    prefix = "closed_review_" if closed else "review_"
    options = {
        name: getattr(quiz, prefix + name)
        for name in ("correctness", "marks", "right_answer", "explanation")
    }
    withheld = (
        not closed
        and quiz.right_answers_after == Quiz.ReviewTiming.LAST_ATTEMPT
        and attempts_left != 0
    )
    if withheld:
        options["right_answer"] = options["explanation"] = False
    options["withheld"] = withheld
    return options


def result_view(items: list[AttemptItem], options: dict) -> list[dict]:
    rows = []
    for item in items:
        data = item.version.data
        view = {
            "position": item.position,
            "type": data["type"],
            "text": data["text"],
            "text_format": data.get("text_format", "plain"),
            "points": Decimal(data["points"]).normalize(),
            "figure": _figure(data),
            "options": _options(item, data),
            "value": (item.response.answer or {}).get("value"),
            "text_answer": (item.response.answer or {}).get("text", ""),
            "answered": grading.is_answered(data, item.response.answer),
        }
        feedback = _feedback(item, data, full=True)
        if not options["right_answer"]:
            feedback["right_keys"] = set()
            feedback["right_answer"] = ""
        if not options["explanation"]:
            feedback["explanation"] = ""
            feedback["option_feedback"] = []
        if not options["marks"]:
            feedback["score"] = None
        if not options["correctness"]:
            feedback["correct"] = feedback["partial"] = None
        for option in view["options"]:
            option["right"] = option["key"] in feedback["right_keys"]
        view["feedback"] = feedback
        rows.append(view)
    return rows
