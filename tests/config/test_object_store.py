"""STORAGE_BACKEND=s3 against a real S3-compatible server: a report file built by the
worker and an uploaded import file land in the private bucket, are served by the
platform's views and have no address; images land in the media bucket.

Runs when TEST_S3_ENDPOINT_URL names a server that accepts any key pair and bucket
creation (a scratch MinIO, or moto's server); skipped, saying why, otherwise. It
creates two buckets with random names and deletes them afterwards.
"""

import datetime as dt
import importlib.util
import os
import uuid
from pathlib import Path

import environ
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from config.object_storage import storages_setting
from organisation.models import ImportJob
from reports.models import ReportExport
from tests.campaigns.factories import make_campaign, make_course
from tests.factories import StaffFactory

ENDPOINT = os.environ.get("TEST_S3_ENDPOINT_URL", "")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ENDPOINT, reason="set TEST_S3_ENDPOINT_URL to run"),
    pytest.mark.skipif(
        importlib.util.find_spec("storages") is None,
        reason="needs requirements-s3.txt",
    ),
]


@pytest.fixture
def buckets(settings, monkeypatch, tmp_path):
    import boto3

    names = {
        "media": f"test-media-{uuid.uuid4().hex[:12]}",
        "private": f"test-private-{uuid.uuid4().hex[:12]}",
    }
    values = {
        "STORAGE_BACKEND": "s3",
        "AWS_S3_ENDPOINT_URL": ENDPOINT,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": os.environ.get("TEST_S3_ACCESS_KEY", "testing"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("TEST_S3_SECRET_KEY", "testing"),
        "AWS_STORAGE_BUCKET_NAME": names["media"],
        "AWS_PRIVATE_BUCKET_NAME": names["private"],
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=values["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=values["AWS_SECRET_ACCESS_KEY"],
    )
    for bucket in names.values():
        client.create_bucket(Bucket=bucket)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")
    settings.STORAGES = storages_setting(environ.Env(), staticfiles="x.Static")

    def keys(bucket: str) -> list[str]:
        listed = client.list_objects_v2(Bucket=names[bucket])
        return [item["Key"] for item in listed.get("Contents", [])]

    yield keys
    for bucket in names.values():
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


def nothing_on_disk(tmp_path) -> bool:
    return not [p for p in Path(tmp_path).rglob("*") if p.is_file()]


def test_a_report_file_goes_to_the_private_bucket_and_is_served_by_the_view(
    client,
    buckets,
    tmp_path,
    reference_data,
    tree,
    unit_leader,
    django_capture_on_commit_callbacks,
):
    today = timezone.localdate()
    make_campaign(
        [make_course(reference_data, "LAW-O")],
        code="LAW-O",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=10),
    )
    StaffFactory(unit=tree["G1-D1"], staff_no="STORE1")
    client.force_login(unit_leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:export_create", args=["LAW-O", "G1"]),
            {"format": "csv", "show": "all"},
        )
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.DONE, export.error
    assert buckets("private") == [f"private/{export.file.name}"]
    assert buckets("media") == []
    assert nothing_on_disk(tmp_path)
    with pytest.raises(ValueError):
        _ = export.file.url

    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert "STORE1" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_import_upload_is_read_back_from_the_private_bucket(
    client, buckets, tmp_path, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    roster = "staff_no,name,unit_code\nSTORE2,孙三,G1\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/imports/",
            {"kind": "staff", "file": SimpleUploadedFile("名册.csv", roster)},
        )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.error
    assert buckets("private") == [f"private/{job.file.name}"]
    assert nothing_on_disk(tmp_path)
    response = client.get(f"/admin/imports/{job.pk}/file/")
    assert b"".join(response.streaming_content) == roster


def test_a_saved_image_goes_to_the_media_bucket(buckets, tmp_path):
    from django.core.files.base import ContentFile

    name = storages["default"].save("original_images/a.txt", ContentFile(b"x"))
    assert buckets("media") == [f"media/{name}"]
    assert storages["default"].open(name).read() == b"x"
    assert nothing_on_disk(tmp_path)
