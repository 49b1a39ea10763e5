from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def points_change(value: float) -> str:
    """A change of a share as signed percentage points: +3, −2, 0."""
    points = round(value * 100)
    if points > 0:
        return f"+{points}"
    return f"−{-points}" if points < 0 else "0"


@register.inclusion_tag("practice/_home_card.html", takes_context=True)
def practice_card(context) -> dict:
    """Today's practice and the wrong-answer book's count, for the learner's home."""
    from practice import selectors

    user = context["request"].user
    if not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "progress": selectors.day_progress(user=user, day=timezone.localdate()),
        "book_count": selectors.book_count(user=user),
    }
