"""Generated report files: built by a Celery task, downloadable only by their requester."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.storage import export_upload_to, private_storage


class ReportExport(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="exports"
    )
    # The unit whose subtree the file covers; always one the requester may see.
    unit = models.ForeignKey("organisation.Unit", on_delete=models.CASCADE)
    as_of = models.DateField()
    format = models.CharField(max_length=5, choices=Format.choices)
    language = models.CharField(max_length=10, default="zh-hans")
    # Which people the file lists (the filter chosen on screen: not_done, all …).
    show = models.CharField(max_length=20, default="not_done")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # Private storage under a random name; ``filename`` is what the download is called.
    file = models.FileField(
        storage=private_storage, upload_to=export_upload_to, blank=True
    )
    filename = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)
    # Why the file could not be built, in words for the person who asked (never a
    # traceback: the exception goes to the log).
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the task was last sent, and how many times the stale sweep sent it again.
    queued_at = models.DateTimeField(default=timezone.now)
    requeue_count = models.PositiveSmallIntegerField(default=0)
    # Set when the retention sweep deleted the file.
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.unit_id} · {self.format}"
