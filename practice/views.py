"""The person's own practice: today's questions, the wrong-answer book and the week.

Every view reads and writes only the signed-in person's own rows; an id of anyone
else's practice answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Attempt
from assessments.services import question_current_version

from . import selectors, services
from .errors import PracticeError
from .models import PracticeAnswer
from .presenters import question_view, with_feedback


def practice_now() -> dt.datetime:
    """The present moment for the practice pages (the one place a test moves)."""
    return timezone.now()


def _met_in(user, question_id: int) -> dict[int, set[int]]:
    quizzes = set(
        Attempt.objects.filter(
            user=user, preview=False, items__question_id=question_id
        ).values_list("quiz_id", flat=True)
    )
    return {question_id: quizzes}


def _checked_view(request: HttpRequest, rows: list[PracticeAnswer], now) -> dict | None:
    wanted = request.GET.get("checked", "")
    row = next((r for r in rows if str(r.pk) == wanted and r.is_answered), None)
    if row is None:
        return None
    visible = selectors.answers_visible(
        user=request.user,
        question_ids={row.question_id},
        met_in=_met_in(request.user, row.question_id),
        now=now,
    )[row.question_id]
    data = row.version.data
    view = question_view(
        data, option_keys=row.option_keys, answer=row.answer, position=row.position
    )
    return with_feedback(
        view,
        data,
        answer=row.answer,
        fraction=row.fraction,
        right_answer=visible[0],
        explanation=visible[1],
    )


@login_required
@require_GET
def today_view(request: HttpRequest) -> HttpResponse:
    now = practice_now()
    rows = services.practice_day_start(user=request.user, now=now)
    current = next((r for r in rows if not r.is_answered), None)
    question = (
        question_view(
            current.version.data,
            option_keys=current.option_keys,
            answer=None,
            position=current.position,
        )
        if current
        else None
    )
    return render(
        request,
        "practice/today.html",
        {
            "day": timezone.localdate(now),
            "rows": rows,
            "answered": sum(1 for r in rows if r.is_answered),
            "right": sum(1 for r in rows if r.is_answered and r.fraction >= 1),
            "current": current,
            "question": question,
            "checked": _checked_view(request, rows, now),
            "book_count": selectors.book_count(user=request.user),
        },
    )


@login_required
@require_POST
def answer_view(request: HttpRequest, answer_id: int) -> HttpResponse:
    try:
        row = services.practice_answer_submit(
            user=request.user,
            answer_id=answer_id,
            raw=request.POST.getlist("answer"),
            now=practice_now(),
        )
    except PracticeError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, error.message)
        return redirect(reverse("practice:today") + "#current")
    return redirect(f"{reverse('practice:today')}?checked={row.pk}#feedback")


def _grouped(rows: list[selectors.BookRow], by: str) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for n, row in enumerate(rows, start=1):
        data = row.version.data if row.version else None
        if data is None:
            data = question_current_version(question=row.question).data
        wrong = row.entry.wrong
        view = question_view(
            data, option_keys=wrong.option_keys or [], answer=wrong.answer, position=n
        )
        item = {
            "row": row,
            "q": with_feedback(
                view,
                data,
                answer=wrong.answer,
                fraction=wrong.fraction,
                right_answer=row.show_answer,
                explanation=row.show_explanation,
            ),
        }
        related = (
            row.question.indicators.all()
            if by == "indicator"
            else row.question.business_lines.all()
        )
        names = [x.name for x in related] or [
            _("No indicator") if by == "indicator" else _("No business line")
        ]
        for name in names:
            groups[name].append(item)
    return sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0]))


@login_required
@require_GET
def book_view(request: HttpRequest) -> HttpResponse:
    by = "line" if request.GET.get("by") == "line" else "indicator"
    rows = selectors.book_for(user=request.user, now=practice_now())
    return render(
        request,
        "practice/book.html",
        {"by": by, "count": len(rows), "groups": _grouped(rows, by)},
    )


@login_required
@require_GET
def week_view(request: HttpRequest) -> HttpResponse:
    summary = selectors.weekly_summary(user=request.user, now=practice_now())
    return render(request, "practice/week.html", {"summary": summary})
