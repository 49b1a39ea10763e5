from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.params import MAX_INT

from .certificates import certificate_pdf
from .models import LessonPage
from .selectors import (
    catalogue_page,
    certificate_get,
    certificate_get_for_user,
    dashboard,
)
from .services import LearningError, lesson_mark_done
from .video import video_heartbeat, watched_share

if TYPE_CHECKING:
    from config.http import AuthenticatedHttpRequest


@login_required
@require_GET
def dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/dashboard.html",
        {"board": dashboard(user=request.user), "catalogue": catalogue_page()},
    )


@login_required
@require_POST
def lesson_done_view(request: AuthenticatedHttpRequest, lesson_id: int) -> HttpResponse:
    if lesson_id > MAX_INT:  # the driver would raise on an id the column cannot hold
        raise Http404
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    try:
        progress = lesson_mark_done(user=request.user, lesson=lesson)
    except LearningError as exc:
        messages.error(request, str(exc))
        return redirect(lesson.url)
    if progress.completed_at is None:
        messages.warning(
            request, _("Noted. Pass the quiz in this lesson to complete it.")
        )
        return redirect(lesson.url)
    following = (
        (LessonPage.objects.live().sibling_of(lesson).filter(path__gt=lesson.path))
        .order_by("path")
        .first()
    )
    messages.success(request, _("Lesson completed."))
    if following is not None and request.POST.get("then") != "stay":
        return redirect(following.url)
    return redirect(lesson.get_parent().url)


@login_required
@require_GET
def certificate_download_view(
    request: AuthenticatedHttpRequest, code: str
) -> HttpResponse:
    certificate = certificate_get_for_user(user=request.user, code=code)
    if certificate is None:
        raise Http404
    verify_url = request.build_absolute_uri(
        reverse("learning:certificate_verify", args=[certificate.code])
    )
    pdf = certificate_pdf(certificate=certificate, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.code}.pdf"'
    )
    return response


@require_GET
@require_GET
def certificate_verify_form_view(request: HttpRequest) -> HttpResponse:
    """Public: a box to type the code printed on a certificate."""
    code = "".join(request.GET.get("code", "").split()).upper()
    if code.isalnum() and len(code) <= 32:
        return redirect("learning:certificate_verify", code=code)
    return render(
        request,
        "learning/certificate_verify.html",
        {"asked": bool(code), "code": code},
        status=400 if code else 200,
    )


def certificate_verify_view(request: HttpRequest, code: str) -> HttpResponse:
    """Public: confirms the name, course and date of a certificate, nothing else."""
    certificate = certificate_get(code=code.strip().upper())
    status = 200 if certificate else 404
    return render(
        request,
        "learning/certificate_verify.html",
        {"certificate": certificate, "code": code, "asked": True},
        status=status,
    )


@login_required
@require_POST
def video_heartbeat_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A playback heartbeat from the lesson page (static/learning/video.js)."""
    if lesson_id > MAX_INT:
        raise Http404
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    try:
        position = float(request.POST.get("position", ""))
        duration = float(request.POST.get("duration", ""))
    except ValueError:
        return JsonResponse({"ok": False}, status=400)
    if not (math.isfinite(position) and math.isfinite(duration)):
        return JsonResponse({"ok": False}, status=400)
    watch = video_heartbeat(
        user=request.user,
        lesson=lesson,
        source=request.POST.get("source", "")[:500],
        position=position,
        duration=duration,
    )
    if watch is None:
        return JsonResponse({"ok": False}, status=400)
    return JsonResponse({"ok": True, "share": round(watched_share(watch), 3)})
