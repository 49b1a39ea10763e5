"""The platform's Celery app with a test-only beat schedule: both reminder jobs every
second, so that a real beat fires each of them many times within one test."""

from config.celery import app

app.conf.beat_schedule = {
    "test-learner-reminders": {
        "task": "learning.campaigns.tasks.send_learner_reminders",
        "schedule": 1.0,
    },
    "test-leader-digests": {
        "task": "learning.campaigns.tasks.send_leader_digests",
        "schedule": 1.0,
    },
}

__all__ = ["app"]
