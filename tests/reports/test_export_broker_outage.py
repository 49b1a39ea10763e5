"""A report file requested while the broker is down: the request answers, the
export is stored as queued (for the stale-job sweep), nothing answers 500."""

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from reports import tasks
from reports.models import ReportExport

pytestmark = pytest.mark.django_db


def test_an_export_requested_while_the_broker_is_down_is_kept_queued(
    client,
    law_campaign,
    unit_leader,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    refused = []

    def broker_down(*args, **kwargs):
        refused.append(args)
        raise OperationalError("Error 111 connecting to broker. Connection refused.")

    monkeypatch.setattr(tasks.build_export, "apply_async", broker_down)
    client.force_login(unit_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:export_create", args=["LAW-T", "G1"]),
            {"format": "csv", "show": "all"},
        )
    assert refused and response.status_code == 302
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.QUEUED
    assert client.get(response["Location"]).status_code == 200
