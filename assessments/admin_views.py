"""Wagtail admin pages: marking queue and marking detail, item statistics with
CSV/XLSX export, and question import/export. Thin adapters over selectors/services."""

from __future__ import annotations

import io
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from config.params import int_param
from config.tasks import send_on_commit
from organisation.admin_forms import upload_too_large_message
from organisation.jobs import import_job_create
from organisation.models import ImportJob
from organisation.tabular import csv_rows, write_xlsx

from . import selectors
from .errors import AssessmentError
from .formats.reading import FORMATS, guess_format
from .formats.writing import write_questions
from .models import Question, Quiz, Response, StatisticsSnapshot
from .permissions import can_edit_bank, can_mark, can_see_statistics
from .presenters import result_view
from .services import response_mark
from .services.transfer import question_records
from .statistics_display import statistics_bring_up_to_date, statistics_rows


class _AdminPage(WagtailAdminTemplateMixin, TemplateView):
    check = staticmethod(can_mark)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not self.check(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class MarkingView(_AdminPage):
    template_name = "assessments/admin/marking.html"
    page_title = gettext_lazy("Marking")
    header_icon = "edit"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quiz_id = int_param(self.request.GET.get("quiz"), default=0) or None
        learner = self.request.GET.get("learner", "").strip()
        context.update(
            queue=list(
                selectors.marking_queue(
                    user=self.request.user, quiz_id=quiz_id, learner_q=learner
                )[:100]
            ),
            attempts=list(
                selectors.attempts_for_marker(
                    user=self.request.user, quiz_id=quiz_id, learner_q=learner
                )[:50]
            ),
            quizzes=Quiz.objects.order_by("title").only("pk", "title"),
            quiz_id=int(quiz_id) if quiz_id else None,
            learner=learner,
        )
        return context


class AttemptMarkView(_AdminPage):
    template_name = "assessments/admin/attempt.html"
    page_title = gettext_lazy("Mark an attempt")
    header_icon = "edit"

    def _attempt(self):
        attempt = (
            selectors.attempts_for_marker(user=self.request.user)
            .filter(pk=self.kwargs["attempt_id"])
            .first()
        )
        if attempt is None:
            raise Http404
        return attempt

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attempt = self._attempt()
        items = selectors.attempt_items(attempt=attempt)
        full = {
            "correctness": True,
            "marks": True,
            "right_answer": True,
            "explanation": True,
        }
        views = result_view(items, full)
        guides = dict(
            Question.objects.filter(
                pk__in={item.question_id for item in items}
            ).values_list("pk", "marking_guide")
        )
        for view, item in zip(views, items, strict=True):
            view["marking_guide"] = guides.get(item.question_id, "")
            view["response_id"] = item.response.pk
            view["needs_marking"] = item.response.needs_marking
            view["changes"] = list(
                item.response.mark_changes.select_related("changed_by")
            )
        context.update(attempt=attempt, items=views)
        return context

    def post(self, request, *args, **kwargs):
        attempt = self._attempt()
        response = selectors.response_get_for_marker(
            user=request.user,
            response_id=int_param(request.POST.get("response"), default=0),
        )
        if response is None or response.item.attempt_id != attempt.pk:
            raise Http404
        try:
            response_mark(
                response=response,
                marker=request.user,
                score=request.POST.get("score", ""),
                comment=request.POST.get("comment", "").strip(),
            )
            messages.success(request, _("Mark saved; the attempt's total is updated."))
        except AssessmentError as error:
            messages.error(request, error.message)
        return redirect(reverse("assessments_admin:attempt", args=[attempt.pk]))


class StatisticsView(_AdminPage):
    template_name = "assessments/admin/statistics.html"
    page_title = gettext_lazy("Item statistics")
    header_icon = "table"
    check = staticmethod(can_see_statistics)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statistics_bring_up_to_date()
        quiz_id = int_param(self.request.GET.get("quiz"), default=0) or None
        if quiz_id is None:
            quiz_id = (
                StatisticsSnapshot.objects.filter(quiz__isnull=False)
                .order_by("quiz__title")
                .values_list("quiz_id", flat=True)
                .first()
            )
        snapshot = None
        if quiz_id:
            snapshot = (
                StatisticsSnapshot.objects.select_related("quiz")
                .filter(quiz_id=quiz_id)
                .first()
            )
        bank = StatisticsSnapshot.objects.filter(quiz__isnull=True).first()
        context.update(
            quizzes=StatisticsSnapshot.objects.filter(quiz__isnull=False)
            .select_related("quiz")
            .order_by("quiz__title"),
            all_quizzes=Quiz.objects.order_by("title").only("pk", "title"),
            snapshot=snapshot,
            rows=statistics_rows(snapshot) if snapshot else [],
            bank=bank,
            quiz_id=quiz_id,
        )
        return context

    def post(self, request, *args, **kwargs):
        from .tasks import compute_all_statistics, compute_quiz_statistics

        quiz_id = int_param(request.POST.get("quiz"), default=0)
        if quiz_id:
            send_on_commit(compute_quiz_statistics, quiz_id)
        else:
            send_on_commit(compute_all_statistics)
        messages.success(
            request, _("Statistics are being recalculated; reload in a moment.")
        )
        url = reverse("assessments_admin:statistics")
        return redirect(f"{url}?quiz={quiz_id}" if quiz_id else url)


STAT_HEADERS = [
    ("slot", gettext_lazy("Slot")),
    ("code", gettext_lazy("Question code")),
    ("attempts", gettext_lazy("Attempts")),
    ("facility", gettext_lazy("Facility index %")),
    ("sd", gettext_lazy("Standard deviation %")),
    ("random_guess_score", gettext_lazy("Random guess score %")),
    ("intended_weight", gettext_lazy("Intended weight %")),
    ("effective_weight", gettext_lazy("Effective weight %")),
    ("discrimination", gettext_lazy("Discrimination index %")),
    ("discriminative_efficiency", gettext_lazy("Discriminative efficiency %")),
    ("dubious", gettext_lazy("Needs checking")),
    ("options", gettext_lazy("Option counts")),
    ("options_by_letter", gettext_lazy("Option counts by letter")),
]


def _stat_rows(snapshot: StatisticsSnapshot):
    for row in statistics_rows(snapshot):
        values = []
        for key, _label in STAT_HEADERS:
            value = row.get(key)
            if key == "options":
                value = "; ".join(f"{k}={v}" for k, v in (value or {}).items())
            elif isinstance(value, float):
                value = round(value, 2)
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            values.append(value)
        yield values


def statistics_export(request):
    if not request.user.is_authenticated or not can_see_statistics(request.user):
        raise PermissionDenied
    statistics_bring_up_to_date()
    quiz_id = int_param(request.GET.get("quiz"), default=0)
    snapshot = (
        StatisticsSnapshot.objects.filter(quiz_id=quiz_id).first() if quiz_id else None
    )
    if snapshot is None:
        raise Http404
    headers = [str(label) for _key, label in STAT_HEADERS]
    name = f"item-statistics-{snapshot.quiz.slug}"
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, headers, _stat_rows(snapshot), title="statistics")
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = StreamingHttpResponse(
        csv_rows(headers, _stat_rows(snapshot)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


class TransferView(_AdminPage):
    template_name = "assessments/admin/transfer.html"
    page_title = gettext_lazy("Import and export questions")
    header_icon = "upload"
    check = staticmethod(can_see_statistics)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formats", FORMATS)
        context["can_import"] = can_edit_bank(self.request.user)
        context["jobs"] = ImportJob.objects.filter(
            kind="questions", created_by=self.request.user
        )[:5]
        return context

    def post(self, request, *args, **kwargs):
        """Queue the file as an import job and show its progress page.

        The job (organisation.importing) parses and writes in a Celery task: all
        applied, or refused whole with every line or row in error.
        """
        if not can_edit_bank(request.user):
            raise PermissionDenied
        upload = request.FILES.get("file")
        context = self.get_context_data()
        fmt = request.POST.get("format") or ""
        if upload is None:
            context["errors"] = [_("Choose a file to import.")]
            return self.render_to_response(context)
        fmt = fmt or guess_format(upload.name)
        if fmt not in FORMATS:
            context["errors"] = [
                _("Choose the format: the file name does not tell it.")
            ]
            return self.render_to_response(context)
        if upload.size > settings.IMPORT_UPLOAD_MAX_BYTES:
            context["errors"] = [upload_too_large_message()]
            return self.render_to_response(context)
        job = import_job_create(
            user=request.user,
            kind="questions",
            upload=upload,
            options={
                "format": fmt,
                "category": request.POST.get("category", "").strip(),
            },
            dry_run=bool(request.POST.get("dry_run")),
            language=translation.get_language(),
        )
        return redirect("organisation_import_job", pk=job.pk)


def questions_export(request):
    if not request.user.is_authenticated or not can_see_statistics(request.user):
        raise PermissionDenied
    fmt = request.GET.get("format", "csv")
    if fmt not in ("gift", "csv", "xlsx"):
        raise Http404
    category = request.GET.get("category", "").strip() or None
    buffer = io.BytesIO()
    write_questions(question_records(category=category), fmt, buffer)
    types = {
        "gift": "text/plain; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(buffer.getvalue(), content_type=types[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="questions.{"gift" if fmt == "gift" else fmt}"'
    )
    return response


__all__ = ["Decimal", "Response"]
