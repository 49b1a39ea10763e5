"""Practice fixtures: indicators, a practice category opened to daily practice, an exam."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assessments.models import Category
from organisation.models import BusinessLine, Indicator
from practice.models import PracticeSource
from tests.assessments.factories import make_question


@pytest.fixture
def indicators(reference_data):
    line = BusinessLine.objects.order_by("sort_order").first()
    weak = Indicator.objects.create(
        code="ind-weak", name="弱项指标", business_line=line
    )
    strong = Indicator.objects.create(code="ind-strong", name="强项指标")
    return {"weak": weak, "strong": strong, "line": line}


def tagged(code: str, indicator, *, category: str = "课堂练习/每日", **fields):
    question = make_question(code, category=category, **fields)
    question.indicators.set([indicator])
    if indicator.business_line_id:
        question.business_lines.set([indicator.business_line_id])
    question.save()  # parental many-to-many tags are written on save
    return question


@pytest.fixture
def bank(indicators):
    """Ten practice questions per indicator, the category opened to daily practice."""
    questions = {
        "weak": [tagged(f"PW{i:02d}", indicators["weak"]) for i in range(10)],
        "strong": [tagged(f"PS{i:02d}", indicators["strong"]) for i in range(10)],
    }
    PracticeSource.objects.create(category=Category.objects.get(path="课堂练习"))
    return questions


def at(day: int, hour: int = 9) -> dt.datetime:
    """A moment on day ``day`` of December 2026, Beijing time."""
    return timezone.make_aware(dt.datetime(2026, 12, day, hour))


def right_keys(row) -> list[str]:
    return [o["key"] for o in row.version.data["options"] if float(o["fraction"]) > 0]


def wrong_keys(row) -> list[str]:
    return [
        next(o["key"] for o in row.version.data["options"] if float(o["fraction"]) <= 0)
    ]
