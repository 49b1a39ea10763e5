"""Signals other apps listen to.

``attempt_finished(sender=Attempt, attempt=attempt)`` is sent after the transaction
commits, whenever an attempt reaches a final state: submitted, closed automatically,
or re-marked (including when the last essay of an attempt is marked).

``attempt_marked(sender=Attempt, attempt=attempt)`` is sent after the transaction
commits when a marker's mark leaves the attempt finished.
"""

from django.dispatch import Signal

attempt_finished = Signal()
attempt_marked = Signal()
