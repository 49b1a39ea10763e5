"""Report files live in the private storage: random names, no public address, served
only to the person who asked, deleted after the retention period, and a job that
fails or is never delivered says why."""

import datetime as dt
import re
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django.views.static import serve
from kombu.exceptions import OperationalError

from organisation.models import RoleAssignment
from organisation.services import role_assign
from reports import services
from reports.models import ReportExport
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_roots(settings, tmp_path):
    """Fresh public and private roots, so that no other run's files are seen."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")


@pytest.fixture
def roster(tree):
    StaffFactory(unit=tree["G1-D1"], staff_no="MINE1", name="本院甲")
    StaffFactory(unit=tree["G3"], staff_no="OTHER1", name="外院乙")


@pytest.fixture
def other_leader(tree):
    user = StaffFactory(unit=tree["G3"], staff_no="UL003", is_leader=True).user
    role_assign(user=user, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G3"])
    return user


def request_export(client, callbacks, unit="G1", fmt="csv"):
    with callbacks(execute=True):
        return client.post(
            reverse("reports:export_create", args=["LAW-T", unit]),
            {"format": fmt, "show": "all"},
        )


@pytest.fixture
def built(
    client, law_campaign, unit_leader, roster, django_capture_on_commit_callbacks
):
    client.force_login(unit_leader)
    request_export(client, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.DONE
    return export


def test_the_stored_name_is_not_derived_from_campaign_unit_or_date(built):
    name = built.file.name
    assert re.fullmatch(r"exports/[0-9a-f]{32}\.csv", name), name
    assert "LAW-T" not in name and "G1" not in name
    assert built.as_of.isoformat() not in name
    # The name a person sees is kept on the row.
    assert built.filename.startswith("LAW-T-")
    assert built.filename.endswith(f"{built.as_of.isoformat()}.csv")


def test_the_file_is_outside_media_root_and_has_no_url(built):
    path = Path(built.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_STORAGE_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        _ = built.file.url


def test_the_old_style_media_address_serves_nothing(client, built):
    # What the proxy does with /media/…: serve whatever is under MEDIA_ROOT.
    day = built.as_of
    guessed = (
        f"reports/{timezone.now():%Y/%m}/LAW-T-G1-{day.isoformat()}.csv",
        f"reports/{day:%Y/%m}/LAW-T-G1-{day.isoformat()}.csv",
        built.file.name,
    )
    for relative in guessed:
        request = RequestFactory().get("/media/" + relative)
        with pytest.raises(Http404):
            serve(request, relative, document_root=settings.MEDIA_ROOT)
    # Nor does the platform itself answer for the stored name.
    client.logout()
    assert client.get("/media/" + built.file.name).status_code == 404


def test_a_guessed_download_address_sends_anonymous_visitors_to_sign_in(client, built):
    client.logout()
    response = client.get(reverse("reports:export_download", args=[built.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_download_is_404_for_another_units_leader_and_another_user(
    client, built, other_leader, leadership
):
    for intruder in (other_leader, leadership):
        client.force_login(intruder)
        response = client.get(reverse("reports:export_download", args=[built.pk]))
        assert response.status_code == 404


def test_the_requester_downloads_it_under_its_human_name(client, built, unit_leader):
    client.force_login(unit_leader)
    response = client.get(reverse("reports:export_download", args=[built.pk]))
    assert response.status_code == 200
    assert quote(built.filename) in response["Content-Disposition"]
    assert "MINE1" in b"".join(response.streaming_content).decode("utf-8-sig")


@override_settings(PRIVATE_STORAGE_ACCEL_PREFIX="/_private/")
def test_behind_nginx_the_download_is_handed_to_the_internal_location(
    client, built, unit_leader
):
    client.force_login(unit_leader)
    response = client.get(reverse("reports:export_download", args=[built.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_private/" + built.file.name
    assert quote(built.filename) in response["Content-Disposition"]
    assert response.content == b""


def _aged(export, days: int):
    ReportExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


def test_retention_deletes_old_files_and_keeps_new_ones(
    client, built, unit_leader, law_campaign, tree
):
    fresh = ReportExport.objects.create(
        requested_by=unit_leader,
        campaign=law_campaign,
        unit=tree["G1"],
        as_of=built.as_of,
        format="csv",
        status=ReportExport.Status.DONE,
    )
    fresh.file.save("fresh.csv", ContentFile(b"x"), save=True)
    _aged(built, settings.EXPORT_RETENTION_DAYS + 1)
    _aged(fresh, settings.EXPORT_RETENTION_DAYS - 1)
    old_path = Path(built.file.path)

    assert services.exports_expire() == 1

    built.refresh_from_db()
    fresh.refresh_from_db()
    assert not old_path.exists() and not built.file
    assert built.expired_at is not None
    assert fresh.expired_at is None and Path(fresh.file.path).exists()

    client.force_login(unit_leader)
    page = client.get(reverse("reports:export_detail", args=[built.pk]))
    assert "已过期，请重新生成" in page.content.decode()
    response = client.get(reverse("reports:export_download", args=[built.pk]))
    assert response.status_code == 404


def test_a_failed_export_shows_its_reason_and_no_traceback(
    client, law_campaign, unit_leader, roster, django_capture_on_commit_callbacks
):
    client.force_login(unit_leader)
    with mock.patch.object(
        services, "_write", side_effect=RuntimeError("psycopg internals line 42")
    ):
        response = request_export(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "生成文件时发生意外错误" in page
    assert "psycopg" not in page and "Traceback" not in page


def test_a_broker_that_refuses_the_send_does_not_fail_the_request(
    client, law_campaign, unit_leader, roster, django_capture_on_commit_callbacks
):
    client.force_login(unit_leader)
    with mock.patch(
        "reports.tasks.build_export.apply_async",
        side_effect=OperationalError("Error 111 connecting to redis. Refused."),
    ):
        response = request_export(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.QUEUED
    page = client.get(response["Location"])
    assert page.status_code == 200


def _queued(user, campaign, unit, *, minutes_ago: int, sent: int = 0):
    export = ReportExport.objects.create(
        requested_by=user,
        campaign=campaign,
        unit=unit,
        as_of=timezone.localdate(),
        format="csv",
    )
    ReportExport.objects.filter(pk=export.pk).update(
        queued_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        requeue_count=sent,
    )
    return export


def test_a_stale_queued_export_is_sent_again_and_a_recent_one_is_not(
    law_campaign, unit_leader, tree
):
    stale = _queued(unit_leader, law_campaign, tree["G1"], minutes_ago=30)
    recent = _queued(unit_leader, law_campaign, tree["G1"], minutes_ago=1)
    with mock.patch("reports.tasks.build_export.apply_async") as send:
        result = services.exports_requeue_stale()
    assert result == {"requeued": 1, "failed": 0}
    assert send.call_args.kwargs["args"] == (stale.pk,)
    stale.refresh_from_db()
    assert stale.requeue_count == 1 and stale.status == ReportExport.Status.QUEUED
    recent.refresh_from_db()
    assert recent.requeue_count == 0


def test_a_stale_export_sent_too_often_is_failed_with_a_reason(
    client, law_campaign, unit_leader, tree
):
    export = _queued(
        unit_leader,
        law_campaign,
        tree["G1"],
        minutes_ago=30,
        sent=settings.JOB_REQUEUE_LIMIT,
    )
    with mock.patch("reports.tasks.build_export.apply_async") as send:
        assert services.exports_requeue_stale() == {"requeued": 0, "failed": 1}
    assert not send.called
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    client.force_login(unit_leader)
    page = client.get(reverse("reports:export_detail", args=[export.pk]))
    assert "长时间等待后台服务处理" in page.content.decode()


def test_a_stale_export_is_built_when_the_broker_is_back(
    law_campaign, unit_leader, roster, tree
):
    export = _queued(unit_leader, law_campaign, tree["G1"], minutes_ago=30)
    services.exports_requeue_stale()  # tasks run eagerly here
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE and export.file


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_a_requeued_export_into_private_storage(
    reference_data, tree, celery_worker
):
    import time

    from tests.campaigns.factories import make_campaign, make_course

    course = make_course(reference_data, "LAW-W")
    campaign = make_campaign(
        [course],
        code="LAW-W",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    StaffFactory(unit=tree["G1-D1"], staff_no="W0001")
    leader = StaffFactory(unit=tree["G1"], staff_no="ULW01", is_leader=True).user
    role_assign(user=leader, role=RoleAssignment.Role.UNIT_LEADER, unit=tree["G1"])
    export = _queued(leader, campaign, tree["G1"], minutes_ago=30)

    assert services.exports_requeue_stale()["requeued"] == 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in (ReportExport.Status.DONE, ReportExport.Status.FAILED):
            break
        time.sleep(0.5)
    assert export.status == ReportExport.Status.DONE, export.error
    assert re.fullmatch(r"exports/[0-9a-f]{32}\.csv", export.file.name)


def test_the_migration_moves_old_public_files_out_of_media_root(
    law_campaign, unit_leader, tree
):
    from django.core.files.storage import storages

    from config.storage import move_public_files

    old_name = "reports/2026/11/LAW-T-G1-2026-11-30.csv"
    storages["default"].save(old_name, ContentFile(b"staff_no\nMINE1\n"))
    export = ReportExport.objects.create(
        requested_by=unit_leader,
        campaign=law_campaign,
        unit=tree["G1"],
        as_of=timezone.localdate(),
        format="csv",
        status=ReportExport.Status.DONE,
    )
    ReportExport.objects.filter(pk=export.pk).update(file=old_name)

    move_public_files(ReportExport, folder="exports")

    export.refresh_from_db()
    assert not storages["default"].exists(old_name)
    assert re.fullmatch(r"exports/[0-9a-f]{32}\.csv", export.file.name)
    assert export.filename == "LAW-T-G1-2026-11-30.csv"
    with export.file.open("rb") as handle:
        assert handle.read() == b"staff_no\nMINE1\n"


@pytest.fixture
def unreachable_broker():
    """Tasks are really published, to a broker address where nothing listens."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        app._pool = None
        app.amqp._producer_pool = None


def test_a_broker_that_is_down_leaves_the_export_queued_without_a_500(
    client,
    law_campaign,
    unit_leader,
    roster,
    unreachable_broker,
    django_capture_on_commit_callbacks,
):
    client.force_login(unit_leader)
    started = timezone.now()
    response = request_export(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert (timezone.now() - started).total_seconds() < 10
    assert ReportExport.objects.get().status == ReportExport.Status.QUEUED
