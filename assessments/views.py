"""Learner views: my quizzes, a quiz, taking an attempt, the summary and the result."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import AssessmentError
from .models import Attempt, Category, Quiz
from .permissions import can_preview_quiz
from .presenters import item_view, result_view, review_options
from .services.attempts import MAX_POSITION

if TYPE_CHECKING:
    from config.http import AuthenticatedHttpRequest


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=False
        )
        and target.startswith("/")
    ):
        return target
    return ""


def _quiz_for(request: HttpRequest, slug: str) -> Quiz:
    quiz = selectors.quiz_get(slug=slug)
    if quiz is None or (quiz.draft and not can_preview_quiz(request.user)):
        raise Http404
    return quiz


def _attempt_for(request: AuthenticatedHttpRequest, attempt_id: int) -> Attempt:
    attempt = selectors.attempt_get_for_learner(
        user=request.user, attempt_id=attempt_id
    )
    if attempt is None:
        raise Http404
    return attempt


def _with_next(url: str, next_url: str) -> str:
    from urllib.parse import urlencode

    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    attempts = list(selectors.attempts_of(user=request.user)[:200])
    by_quiz: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    open_quizzes = [
        {"quiz": quiz, "attempts": by_quiz.get(quiz.pk, [])}
        for quiz in selectors.quizzes_open_for(user=request.user)
    ]
    papers = [a for a in attempts if a.quiz.keeps_exam_papers and not a.is_open]
    return render(
        request,
        "assessments/index.html",
        {
            "open_quizzes": open_quizzes,
            "papers": papers,
            "in_progress": [a for a in attempts if a.is_open],
            "progress": selectors.category_progress(user=request.user),
        },
    )


@login_required
def categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "assessments/categories.html",
        {"rows": selectors.categories_with_progress(user=request.user)},
    )


@login_required
def category_detail(
    request: AuthenticatedHttpRequest, category_id: int
) -> HttpResponse:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404
    rows = selectors.categories_with_progress(user=request.user)
    inside = [
        r
        for r in rows
        if r["path"] == category.path or r["path"].startswith(category.path + "/")
    ]
    return render(
        request,
        "assessments/category.html",
        {
            "category": category,
            "progress": inside[0],
            "sub_rows": inside[1:],
            "quizzes": selectors.category_quizzes(
                user=request.user, category=category
            ).select_related("category"),
        },
    )


def _previewing(request: HttpRequest, quiz: Quiz) -> bool:
    """A draft quiz is always a preview; a trainer may preview a published one."""
    asked = request.GET.get("preview") == "1" or request.POST.get("preview") == "1"
    return quiz.draft or (asked and can_preview_quiz(request.user))


@login_required
def quiz_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    quiz = _quiz_for(request, slug)
    next_url = _safe_next(request)
    preview = _previewing(request, quiz)
    if request.method == "POST":
        try:
            attempt = services.attempt_start(
                user=request.user, quiz=quiz, preview=preview
            )
        except AssessmentError as error:
            messages.error(request, error.message)
            return redirect(_with_next(quiz.get_absolute_url(), next_url))
        return redirect(
            _with_next(reverse("assessments:attempt", args=[attempt.pk]), next_url)
        )
    attempts = list(
        Attempt.objects.filter(user=request.user, quiz=quiz, preview=False).order_by(
            "-number"
        )
    )
    used = len(attempts)
    now = timezone.now()
    return render(
        request,
        "assessments/quiz.html",
        {
            "quiz": quiz,
            "attempts": attempts if quiz.keeps_exam_papers else [],
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "remaining": services.attempts.attempts_remaining(quiz, used),
            "unavailable": services.attempts.quiz_availability_error(
                quiz, now=now, preview=preview
            ),
            "grade": selectors.quiz_grade(user=request.user, quiz=quiz),
            "passed": selectors.quiz_passed(user=request.user, quiz=quiz),
            "question_count": quiz.max_questions or None,
            "next": next_url,
            "preview": preview,
        },
    )


def _finish_if_overdue(attempt: Attempt) -> Attempt:
    """Close an attempt whose time is up when its learner comes back to it."""
    if attempt.is_open and attempt.deadline and timezone.now() >= attempt.deadline:
        if attempt.quiz.overdue_policy != Quiz.OverduePolicy.GRACE:
            return services.attempt_submit(attempt_id=attempt.pk, automatic=True)
    return attempt


@login_required
def attempt_page(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    next_url = _safe_next(request)
    items: list = []
    if request.method == "POST":
        attempt = _finish_if_overdue(_attempt_for(request, attempt_id))
    else:
        try:
            position = min(max(1, int(request.GET.get("q", 1))), MAX_POSITION)
        except ValueError:
            position = 1
        # The attempt and its items in one read; only the question shown comes
        # with its version (the others give the navigation).
        found, items = selectors.attempt_page_for_learner(
            user=request.user, attempt_id=attempt_id, version_at=position
        )
        if found is None:
            raise Http404
        attempt = _finish_if_overdue(found)
    if not attempt.is_open:
        return redirect(
            _with_next(reverse("assessments:result", args=[attempt.pk]), next_url)
        )
    if request.method == "POST":
        return _attempt_form_post(request, attempt, next_url)
    position = min(position, len(items))
    current = items[position - 1]
    now = timezone.now()
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "item": item_view(current, attempt.quiz),
            "items": [
                {
                    "position": i.position,
                    "answered": bool(i.response.answer),
                    "flagged": i.flagged,
                    "current": i.position == position,
                }
                for i in items
            ],
            "count": len(items),
            "position": position,
            "previous": position - 1 if position > 1 else None,
            "following": position + 1 if position < len(items) else None,
            "remaining_seconds": (
                max(0, int((attempt.deadline - now).total_seconds()))
                if attempt.deadline
                else None
            ),
            "next": next_url,
            "immediate": attempt.quiz.feedback_mode == Quiz.FeedbackMode.IMMEDIATE,
        },
    )


def _form_answer(request: HttpRequest, kind: str):
    if kind == "multiple":
        return {"keys": request.POST.getlist("answer")}
    if kind == "single":
        value = request.POST.get("answer")
        return {"keys": [value] if value else []}
    if kind == "true_false":
        value = request.POST.get("answer")
        return {"value": None if value in (None, "") else value == "true"}
    return {"text": request.POST.get("answer", "")}


def _attempt_form_post(request, attempt: Attempt, next_url: str) -> HttpResponse:
    """The no-JavaScript path: save the shown question, then go where the button says."""
    try:
        position = int(request.POST.get("position", "0"))
        seq = int(request.POST.get("seq", "-1"))
    except ValueError:
        raise Http404 from None
    item = next(
        (i for i in selectors.attempt_items(attempt=attempt) if i.position == position),
        None,
    )
    if item is None:
        raise Http404
    go = request.POST.get("go", str(position))
    try:
        answers = {}
        if not item.checked_at and request.POST.get("answer_present"):
            answers[position] = _form_answer(request, item.version.data["type"])
        seq = services.attempt_save(
            attempt_id=attempt.pk,
            user=request.user,
            seq=seq,
            answers=answers,
            flags={position: bool(request.POST.get("flagged"))},
        )
        if request.POST.get("check"):
            services.attempt_check_item(
                attempt_id=attempt.pk, user=request.user, position=position, seq=seq
            )
            go = str(position)
    except AssessmentError as error:
        messages.error(request, error.message)
        if error.code in ("finished", "time_up"):
            return redirect(reverse("assessments:result", args=[attempt.pk]))
        go = str(position)
    if go == "summary":
        return redirect(
            _with_next(reverse("assessments:summary", args=[attempt.pk]), next_url)
        )
    url = reverse("assessments:attempt", args=[attempt.pk]) + f"?q={go}"
    return redirect(url + (f"&next={next_url}" if next_url else ""))


@login_required
@require_POST
def attempt_save_json(
    request: AuthenticatedHttpRequest, attempt_id: int
) -> JsonResponse:
    """Autosave: ``{"seq", "answers": {position: answer}, "flags": {position: bool}}``.

    Answers ``{"ok": true, "seq": new}``; a refused save answers 409 with the reason
    and writes nothing. The reply never contains marks or the right answer.
    """
    try:
        if "json" not in (request.content_type or ""):
            # A form post's body may already have been read as fields (CSRF does).
            raise ValueError("not JSON")
        payload = json.loads(request.body or b"{}")
        seq = int(payload["seq"])
        answers = {int(k): v for k, v in (payload.get("answers") or {}).items()}
        flags = {int(k): bool(v) for k, v in (payload.get("flags") or {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse(
            {
                "ok": False,
                "code": "bad_request",
                "error": _("The request was not understood."),
            },
            status=400,
        )
    try:
        new_seq = services.attempt_save(
            attempt_id=attempt_id,
            user=request.user,
            seq=seq,
            answers=answers,
            flags=flags,
        )
    except AssessmentError as error:
        status = 404 if error.code == "not_found" else 409
        return JsonResponse(
            {"ok": False, "code": error.code, "error": str(error.message)},
            status=status,
        )
    return JsonResponse({"ok": True, "seq": new_seq})


@login_required
def attempt_summary(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _finish_if_overdue(_attempt_for(request, attempt_id))
    next_url = _safe_next(request)
    if not attempt.is_open:
        return redirect(reverse("assessments:result", args=[attempt.pk]))
    items = selectors.attempt_items(attempt=attempt)
    now = timezone.now()
    return render(
        request,
        "assessments/summary.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "items": items,
            "unanswered": sum(1 for i in items if not i.response.answer),
            "flagged": sum(1 for i in items if i.flagged),
            "remaining_seconds": (
                max(0, int((attempt.deadline - now).total_seconds()))
                if attempt.deadline
                else None
            ),
            "next": next_url,
        },
    )


@login_required
@require_POST
def attempt_submit(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    next_url = _safe_next(request)
    try:
        # The service reads the attempt only when it is the learner's own.
        attempt = services.attempt_submit(attempt_id=attempt_id, user=request.user)
    except AssessmentError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, error.message)
        attempt = _attempt_for(request, attempt_id)
    return redirect(
        _with_next(reverse("assessments:result", args=[attempt.pk]), next_url)
    )


@login_required
def attempt_result(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _finish_if_overdue(_attempt_for(request, attempt_id))
    if attempt.is_open:
        return redirect(reverse("assessments:attempt", args=[attempt.pk]))
    used = Attempt.objects.filter(
        user=request.user, quiz=attempt.quiz, preview=False
    ).count()
    options = review_options(
        attempt.quiz,
        attempts_left=0
        if attempt.preview
        else services.attempts.attempts_remaining(attempt.quiz, used),
    )
    return render(
        request,
        "assessments/result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "review": options,
            "items": result_view(selectors.attempt_items(attempt=attempt), options),
            "next": _safe_next(request),
            "grade": selectors.quiz_grade(user=request.user, quiz=attempt.quiz),
            "progress": selectors.category_progress(user=request.user),
        },
    )
