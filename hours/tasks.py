"""Celery tasks of the hours ledger: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def send_hours_digests() -> dict:
    """The quarterly digests of people behind pace (see hours.digests)."""
    from .digests import hours_digests_send

    return hours_digests_send(as_of=timezone.localdate()).as_dict()
