"""Running a batch so that one bad item never stops the others.

Periodic and batch tasks (closing overdue attempts, reminders, statistics, snapshots…)
touch many independent rows. A single row that makes a step raise — a stored value
no one foresaw — must not leave every other row unprocessed until someone notices:
each step runs in its own savepoint, a failure is logged with the item it concerns
and counted, and the batch carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction

logger = logging.getLogger("platform.batch")

T = TypeVar("T")


@dataclass
class BatchOutcome:
    """How a batch went: steps that ran, steps that raised (with the items' labels)."""

    done: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"done": self.done, "failed": self.failed}


def run_isolated(
    items: Iterable[T],
    step: Callable[[T], object],
    *,
    what: str,
    label: Callable[[T], object] = repr,
) -> BatchOutcome:
    """Call ``step`` on each item, each in its own savepoint; never raises for a step.

    ``what`` names the batch in the log (``"close overdue attempt"``); ``label`` names
    an item (its primary key, its code). A failed step's writes are rolled back to its
    savepoint, so on PostgreSQL the surrounding transaction stays usable.
    """
    outcome = BatchOutcome()
    for item in items:
        try:
            with transaction.atomic():
                step(item)
        except Exception:
            name = str(label(item))
            logger.exception("%s failed for %s; carrying on", what, name)
            outcome.failed += 1
            outcome.failures.append(name)
        else:
            outcome.done += 1
    return outcome
