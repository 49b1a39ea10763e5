"""Signal receivers: they only enqueue work, the tasks call the services."""

from config.tasks import send_on_commit


def roster_changed_sync(sender, staff_ids=(), **kwargs) -> None:
    """New joiners enter campaign audiences as soon as a roster import commits."""
    from .tasks import sync_audiences

    send_on_commit(sync_audiences)


def attempt_marked_notify(sender, attempt=None, **kwargs) -> None:
    """A marker finished an attempt: the learner hears of it."""
    from .tasks import notify_marked

    if attempt is not None and not attempt.preview:
        send_on_commit(notify_marked, attempt.pk)
