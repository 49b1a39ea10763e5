"""The Celery application and the one place where periodic jobs are declared."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the platform. Times are Asia/Shanghai (CELERY_TIMEZONE).
# Apps add their entries here rather than in their own modules, so that the whole
# schedule can be read in one place.
app.conf.beat_schedule = {}


def schedule(name: str, task: str, when: crontab, **options) -> None:
    app.conf.beat_schedule[name] = {"task": task, "schedule": when, **options}


# insights: recompute every gap-analysis snapshot at 02:30 each night, so that the day's
# completions and answers reach the pages (imports of indicator values recompute at once).
schedule(
    "insights-snapshots-nightly",
    "insights.tasks.snapshots_nightly",
    crontab(hour=2, minute=30),
)

# Organisation: role grants end (and begin) on their dates by themselves; every role
# check reads the dates, and this daily sweep just after midnight brings the admin groups
# of those grants into line, so an expired trainer loses the admin's editing rights too.
schedule(
    "organisation-role-groups-daily",
    "organisation.tasks.role_groups_expire",
    crontab(hour=0, minute=5),
)

# Campaigns: bring joiners into (and leavers out of) every campaign's audience, nightly
# before the reminders run (roster imports also trigger it at once).
schedule(
    "campaigns-sync-audiences-nightly",
    "learning.campaigns.tasks.sync_audiences",
    crontab(hour=1, minute=15),
)
# Campaigns: learners due in 7 days or tomorrow, and (once per ISO week) overdue.
schedule(
    "campaigns-learner-reminders-daily",
    "learning.campaigns.tasks.send_learner_reminders",
    crontab(hour=8, minute=0),
)
# Campaigns: each unit leader's weekly digest of who is overdue or not started.
schedule(
    "campaigns-leader-digests-weekly",
    "learning.campaigns.tasks.send_leader_digests",
    crontab(hour=8, minute=30, day_of_week="mon"),
)

# Hours: on the first day of each quarter at 08:45, each unit leader hears who in
# their subtree is behind a pro-rata pace, early enough in the quarter to catch up.
schedule(
    "hours-leader-digests-quarterly",
    "hours.tasks.send_hours_digests",
    crontab(hour=8, minute=45, day_of_month=1, month_of_year="1,4,7,10"),
)

# Assessments: close attempts whose time is up (submit, or end as not counted, by each
# quiz's overdue policy) every minute, so an abandoned timed attempt never stays open.
schedule(
    "assessments-close-overdue-attempts",
    "assessments.tasks.close_overdue_attempts",
    crontab(minute="*"),
)
# Assessments: refresh item statistics of every quiz and the bank's "needs checking"
# column every 15 minutes (Moodle caches these for 15 minutes too).
schedule(
    "assessments-item-statistics",
    "assessments.tasks.compute_all_statistics",
    crontab(minute="*/15"),
)

# Courses: publish lessons and courses scheduled by trainers ("go live at"), every
# five minutes, so scheduled publishing works without a cron job.
schedule(
    "learning-publish-scheduled-pages",
    "learning.tasks.publish_scheduled_pages",
    crontab(minute="*/5"),
)
# Courses: record completions earned by attempts whose follow-up did not run (the
# process that finished them died right after the commit); hourly, over two days.
schedule(
    "learning-reconcile-completions",
    "learning.tasks.reconcile_completions",
    crontab(minute=40),
)

# Private files: delete report exports older than EXPORT_RETENTION_DAYS and uploaded
# import files older than IMPORT_UPLOAD_RETENTION_DAYS, nightly at 03:10 when nobody is
# downloading; the files hold people's data, so they are not kept longer than needed.
schedule(
    "reports-expire-exports-nightly",
    "reports.tasks.expire_exports",
    crontab(hour=3, minute=10),
)
schedule(
    "organisation-expire-import-uploads-nightly",
    "organisation.tasks.expire_import_uploads",
    crontab(hour=3, minute=20),
)
# Export and import jobs still queued after JOB_STALE_MINUTES (the broker refused or
# lost the message) are sent again every five minutes, a few times at most, then marked
# failed with a reason, so that no job stays "queued" for ever.
schedule(
    "reports-requeue-stale-exports",
    "reports.tasks.requeue_stale_exports",
    crontab(minute="*/5"),
)
schedule(
    "organisation-requeue-stale-imports",
    "organisation.tasks.requeue_stale_imports",
    crontab(minute="*/5"),
)

# API: deliver new xAPI statements to the outside LRS every five minutes (a no-op
# while XAPI_LRS_ENDPOINT is empty); the LRS is a reporting copy, minutes late is fine,
# and a failed delivery retries with backoff inside the task.
schedule(
    "api-push-xapi-statements",
    "api.tasks.lrs_push_statements",
    crontab(minute="*/5"),
)
