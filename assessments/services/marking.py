"""Marking services: a trainer sets or overrides a mark; every change is audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import AssessmentError
from ..models import Attempt, MarkChange, Response
from ..signals import attempt_finished, attempt_marked
from .attempts import attempt_recompute

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def response_mark(
    *,
    response: Response,
    marker: User,
    score: str | int | float | Decimal,
    comment: str = "",
) -> Response:
    """Set a response's mark (in points). Totals, pass/fail and progress follow at once."""
    try:
        value = Decimal(str(score).strip())
    except (InvalidOperation, AttributeError):
        raise AssessmentError(_("Enter the mark as a number.")) from None
    item = response.item
    if not value.is_finite() or value < 0 or value > item.points:
        raise AssessmentError(
            _("The mark must be between 0 and %(max)s.")
            % {"max": item.points.normalize()}
        )
    attempt = Attempt.objects.select_for_update().get(pk=item.attempt_id)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise AssessmentError(_("This attempt has not been submitted yet."))
    MarkChange.objects.create(
        response=response,
        changed_by=marker,
        old_score=response.score,
        new_score=value,
        comment=comment,
    )
    response.score = value
    response.fraction = (
        (value / item.points).quantize(Decimal("0.00001"))
        if item.points
        else Decimal(0)
    )
    response.needs_marking = False
    response.marked_by = marker
    response.marked_at = timezone.now()
    response.comment = comment
    response.save()
    attempt = attempt_recompute(attempt)
    if attempt.status == Attempt.Status.FINISHED:
        transaction.on_commit(lambda: _announce_marked(attempt))
    return response


def _announce_marked(attempt: Attempt) -> None:
    # As any finish (statistics, progress), and as a marker's finish (the learner's
    # notice), in one after-commit step.
    attempt_finished.send(sender=Attempt, attempt=attempt)
    attempt_marked.send(sender=Attempt, attempt=attempt)
