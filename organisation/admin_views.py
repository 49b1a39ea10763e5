"""Admin pages for imports: upload a file, watch the job's progress, read its errors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from config.storage import private_file_response
from config.tasks import send_on_commit

from . import permissions
from .admin_forms import ImportForm
from .columns import labelled_changes
from .importing import REGISTRY
from .jobs import import_job_create, import_job_get_for_download
from .models import ImportAudit, ImportJob
from .samples import column_spec, sample_csv, sample_xlsx
from .tasks import import_job_run, progress_read


def importable_kinds(user) -> list[str]:
    return [k for k, imp in REGISTRY.items() if imp.allowed(user)]


class _TitledPage(WagtailAdminTemplateMixin):
    """An admin page whose header names the page (the bare mixin shows only "Home")."""

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class ImportUploadView(_TitledPage, FormView):
    template_name = "organisation/admin/import_upload.html"
    form_class = ImportForm
    page_title = _("Data import")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not importable_kinds(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "kinds": importable_kinds(self.request.user),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = ImportJob.objects.filter(created_by=self.request.user)[:10]
        context["specs"] = [
            {"kind": kind, "label": REGISTRY[kind].label, "columns": column_spec(kind)}
            for kind in importable_kinds(self.request.user)
        ]
        return context

    def form_valid(self, form):
        # Every import is previewed first: the job plans and rolls back, and the
        # page shows what applying would do.
        options = {}
        if form.cleaned_data["kind"] == "staff" and form.cleaned_data.get(
            "deactivate_missing"
        ):
            options["deactivate_missing"] = True
        job = import_job_create(
            user=self.request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            options=options,
            dry_run=True,
            language=translation.get_language(),
        )
        return redirect("organisation_import_job", pk=job.pk)


class ImportApplyView(View):
    """Apply a previewed import: a new job on the same stored file, for real."""

    def post(self, request, pk: int):
        preview = get_object_or_404(
            ImportJob,
            pk=pk,
            created_by=request.user,
            dry_run=True,
            status=ImportJob.Status.DONE,
        )
        if preview.kind not in importable_kinds(request.user):
            raise PermissionDenied
        options = dict(preview.options)
        if preview.summary.get("needs_confirmation"):
            if not request.POST.get("confirm_large"):
                messages.error(
                    request,
                    _("This import makes large changes: tick the confirmation first."),
                )
                return redirect("organisation_import_job", pk=preview.pk)
            options["confirm_large"] = True
        job = ImportJob.objects.create(
            kind=preview.kind,
            file=preview.file.name,
            filename=preview.filename,
            options=options,
            dry_run=False,
            created_by=request.user,
        )
        send_on_commit(import_job_run, job.pk, translation.get_language())
        return redirect("organisation_import_job", pk=job.pk)


class ImportAuditListView(_TitledPage, TemplateView):
    template_name = "organisation/admin/import_audit.html"
    page_title = _("Import records")
    header_icon = "history"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_administrator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        records = ImportAudit.objects.defer("changes")
        if self.kwargs.get("pk"):
            context["record"] = get_object_or_404(ImportAudit, pk=self.kwargs["pk"])
            record = context["record"]
            context["changes"] = labelled_changes(
                record.kind, record.changes[:CHANGES_SHOWN]
            )
        context["records"] = records[:100]
        return context


# A preview or record lists at most this many changed rows on the page.
CHANGES_SHOWN = 1000


class ImportJobView(_TitledPage, TemplateView):
    template_name = "organisation/admin/import_job.html"
    page_title = _("Import job")
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        self.job = get_object_or_404(
            ImportJob, pk=kwargs["pk"], created_by=request.user
        )
        if request.GET.get("format") == "json":
            return JsonResponse(job_status(self.job))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        context["changes"] = labelled_changes(
            self.job.kind, self.job.summary.get("changes", [])[:CHANGES_SHOWN]
        )
        context["apply_url"] = reverse("organisation_import_apply", args=[self.job.pk])
        context["can_apply"] = self.job.kind in importable_kinds(self.request.user)
        context["label"] = (
            REGISTRY[self.job.kind].label
            if self.job.kind in REGISTRY
            else self.job.kind
        )
        context["status_url"] = (
            reverse("organisation_import_job", args=[self.job.pk]) + "?format=json"
        )
        # Question imports start from the question bank, which trainers may use
        # without rights to the general data-import page: send them back there.
        if self.job.kind == "questions":
            context["back_url"] = reverse("assessments_admin:transfer")
            context["back_label"] = _("Back to question import and export")
        else:
            context["back_url"] = reverse("organisation_imports")
            context["back_label"] = _("Back to data import")
        return context


SAMPLE_TYPES = {
    "csv": (sample_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        sample_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def import_sample(request, kind: str, fmt: str):
    """A sample file of one import, written from its column declarations."""
    if kind not in importable_kinds(request.user) or fmt not in SAMPLE_TYPES:
        raise Http404
    write, content_type = SAMPLE_TYPES[fmt]
    response = HttpResponse(write(kind), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{kind}-sample.{fmt}"'
    return response


def import_job_file(request, pk: int):
    """The uploaded file of an import job: its uploader or an administrator only."""
    if not request.user.is_authenticated:
        raise Http404
    job = import_job_get_for_download(user=request.user, pk=pk)
    return private_file_response(job.file, filename=job.filename or f"import-{job.pk}")


def job_status(job: ImportJob) -> dict:
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": progress_read(job),
        "summary": job.summary,
        "failure": job.failure,
        "finished": job.status
        in (ImportJob.Status.DONE, ImportJob.Status.REJECTED, ImportJob.Status.FAILED),
    }


def can_import_organisation(user) -> bool:
    return permissions.is_administrator(user)
