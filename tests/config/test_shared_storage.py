"""Files go through the configured storages, never a path on one machine's disk: a
report file built by the worker and an import file uploaded through the admin are
read back by other requests from whatever STORAGES names (here a storage in memory,
standing in for an object store every node shares), and STORAGE_BACKEND=s3 names
an S3-compatible store for both."""

import datetime as dt
import importlib.util
from pathlib import Path

import environ
import pytest
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from config.object_storage import PRIVATE_S3_STORAGE, S3_STORAGE, storages_setting
from organisation.models import ImportJob
from reports.models import ReportExport
from tests.campaigns.factories import make_campaign, make_course
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}


@pytest.fixture
def shared_storage(settings, tmp_path):
    """Both storages in memory; the disk roots point at empty directories that must
    stay empty."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")
    with override_settings(STORAGES=IN_MEMORY):
        yield storages["private"]


def files_on_disk(settings) -> list[Path]:
    roots = (settings.MEDIA_ROOT, settings.PRIVATE_STORAGE_ROOT)
    return [p for root in roots for p in Path(root).rglob("*") if p.is_file()]


@pytest.fixture
def campaign(reference_data, tree):
    today = timezone.localdate()
    return make_campaign(
        [make_course(reference_data, "LAW-S")],
        code="LAW-S",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=10),
    )


def test_a_report_file_built_by_the_worker_is_served_from_the_shared_storage(
    client,
    settings,
    shared_storage,
    campaign,
    tree,
    unit_leader,
    django_capture_on_commit_callbacks,
):
    StaffFactory(unit=tree["G1-D1"], staff_no="SHARED1")
    client.force_login(unit_leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:export_create", args=["LAW-S", "G1"]),
            {"format": "csv", "show": "all"},
        )
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.DONE, export.error
    assert shared_storage.exists(export.file.name)
    assert files_on_disk(settings) == []

    # Another request (on any node) reads it back through the storage; the proxy's
    # internal location is only for files on its own disk, so the platform streams.
    settings.PRIVATE_STORAGE_ACCEL_PREFIX = "/_private/"
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert "SHARED1" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_uploaded_import_file_is_read_by_the_worker_from_the_shared_storage(
    client, settings, shared_storage, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    roster = "staff_no,name,unit_code\nSHARED2,钱二,G1\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/imports/",
            {"kind": "staff", "file": SimpleUploadedFile("名册.csv", roster)},
        )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.error
    assert shared_storage.open(job.file.name).read() == roster
    assert files_on_disk(settings) == []
    response = client.get(f"/admin/imports/{job.pk}/file/")
    assert b"".join(response.streaming_content) == roster


def test_the_file_fields_follow_a_change_of_storages(shared_storage):
    field = ReportExport._meta.get_field("file")
    assert isinstance(field.storage, InMemoryStorage)
    name = field.storage.save("exports/x.csv", ContentFile(b"a"))
    assert shared_storage.exists(name)


def _env(monkeypatch, **values) -> environ.Env:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


def test_the_disk_is_the_default(monkeypatch):
    monkeypatch.delenv("STORAGE_BACKEND", raising=False)
    setting = storages_setting(environ.Env(), staticfiles="x.Static")
    assert setting["default"]["BACKEND"].endswith("FileSystemStorage")
    assert setting["private"]["BACKEND"] == "config.storage.PrivateStorage"
    assert setting["staticfiles"] == {"BACKEND": "x.Static"}


S3_ENV = {
    "STORAGE_BACKEND": "s3",
    "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
    "AWS_ACCESS_KEY_ID": "platform",
    "AWS_SECRET_ACCESS_KEY": "secret-key",
    "AWS_STORAGE_BUCKET_NAME": "training-media",
    "AWS_PRIVATE_BUCKET_NAME": "training-private",
    "AWS_S3_CUSTOM_DOMAIN": "training.jcy.example/objects",
}


def test_s3_puts_media_and_private_files_in_two_buckets(monkeypatch):
    setting = storages_setting(_env(monkeypatch, **S3_ENV), staticfiles="x.Static")
    media, private = setting["default"], setting["private"]
    assert media["BACKEND"] == S3_STORAGE
    assert private["BACKEND"] == PRIVATE_S3_STORAGE
    for entry in (media, private):
        options = entry["OPTIONS"]
        assert options["endpoint_url"] == "http://minio.internal:9000"
        assert options["access_key"] == "platform"
        assert options["addressing_style"] == "path"
        assert options["file_overwrite"] is False
    assert media["OPTIONS"]["bucket_name"] == "training-media"
    assert media["OPTIONS"]["querystring_auth"] is False
    assert media["OPTIONS"]["custom_domain"] == "training.jcy.example/objects"
    assert private["OPTIONS"]["bucket_name"] == "training-private"
    assert "custom_domain" not in private["OPTIONS"]


def test_an_unknown_backend_is_refused(monkeypatch):
    with pytest.raises(environ.ImproperlyConfigured):
        storages_setting(
            _env(monkeypatch, STORAGE_BACKEND="nfs"), staticfiles="x.Static"
        )


def _check_ids(settings, monkeypatch, **values) -> set[str]:
    settings.STORAGES = storages_setting(
        _env(monkeypatch, **{**S3_ENV, **values}), staticfiles="x.Static"
    )
    return {message.id for message in run_checks()}


def test_the_system_check_wants_two_separate_buckets(settings, monkeypatch):
    assert "platform.E022" in _check_ids(
        settings, monkeypatch, AWS_PRIVATE_BUCKET_NAME=""
    )
    assert "platform.E023" in _check_ids(
        settings, monkeypatch, AWS_PRIVATE_BUCKET_NAME="training-media"
    )


@pytest.mark.skipif(
    importlib.util.find_spec("storages") is None,
    reason="django-storages is optional (requirements-s3.txt)",
)
def test_the_private_bucket_gives_no_address(settings, monkeypatch):
    settings.STORAGES = storages_setting(
        _env(monkeypatch, **S3_ENV), staticfiles="x.Static"
    )
    assert {"platform.E021", "platform.E022", "platform.E023"}.isdisjoint(
        m.id for m in run_checks()
    )
    private = storages["private"]
    assert private.bucket_name == "training-private"
    with pytest.raises(ValueError):
        private.url("exports/x.csv")
    media = storages["default"]
    assert media.url("original_images/a.png") == (
        "https://training.jcy.example/objects/media/original_images/a.png"
    )
