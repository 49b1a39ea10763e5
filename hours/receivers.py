"""Receivers that credit the ledger from learning's completions (learning never
imports this app)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save


def completion_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    from .services import ledger_credit_completions

    pk = instance.pk
    transaction.on_commit(lambda: ledger_credit_completions(completion_ids=[pk]))


def completions_imported(sender, completion_ids=(), **kwargs) -> None:
    from .services import ledger_credit_completions

    ledger_credit_completions(completion_ids=list(completion_ids))


def connect() -> None:
    from learning.models import CourseCompletion
    from learning.signals import completions_imported as imported

    post_save.connect(
        completion_saved, sender=CourseCompletion, dispatch_uid="hours_completion"
    )
    imported.connect(completions_imported, dispatch_uid="hours_imported")
