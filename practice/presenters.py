"""What practice templates receive about a question, in the shape of the assessment
templates' ``q`` and ``f`` (``assessments/_question.html``, ``_feedback.html``).
Right answers and explanations are added only where the caller allows them."""

from __future__ import annotations

from decimal import Decimal

from assessments import grading
from assessments.presenters import LETTERS, _figure


def question_view(
    data: dict, *, option_keys: list, answer: dict | None, position: int
) -> dict:
    answer = answer or {}
    by_key = {o["key"]: o for o in data.get("options") or []}
    chosen = set(answer.get("keys") or [])
    keys = option_keys or list(by_key)
    return {
        "position": position,
        "type": data["type"],
        "text": data["text"],
        "text_format": data.get("text_format", "plain"),
        "points": Decimal(str(data.get("points") or 1)).normalize(),
        "figure": _figure(data),
        "options": [
            {
                "key": key,
                "letter": LETTERS[i],
                "text": by_key[key]["text"],
                "chosen": key in chosen,
                "right": False,
            }
            for i, key in enumerate(keys)
            if key in by_key
        ],
        "value": answer.get("value"),
        "text_answer": answer.get("text", ""),
        "feedback": None,
    }


def with_feedback(
    view: dict,
    data: dict,
    *,
    answer: dict | None,
    fraction: Decimal | None,
    right_answer: bool,
    explanation: bool,
) -> dict:
    """``view`` with whether the answer was right and, if allowed, the right answer,
    the explanation and the feedback written for the chosen answer."""
    answer = answer or {}
    right_keys = {
        o["key"] for o in data.get("options") or [] if Decimal(str(o["fraction"])) > 0
    }
    notes = [
        o["feedback"]
        for o in data.get("options") or []
        if o["key"] in set(answer.get("keys") or []) and o.get("feedback")
    ]
    written = grading.answer_feedback(data, answer)
    if written:
        notes.append(written)
    for option in view["options"]:
        option["right"] = right_answer and option["key"] in right_keys
    view["feedback"] = {
        "awaiting": False,
        "correct": fraction is not None and fraction >= 1,
        "partial": fraction is not None and 0 < fraction < 1,
        "score": None,
        "right_answer": grading.right_answer_text(data) if right_answer else "",
        "explanation": data.get("explanation", "") if explanation else "",
        "text_format": data.get("text_format", "plain"),
        "option_feedback": notes if explanation else [],
        "comment": "",
    }
    return view
