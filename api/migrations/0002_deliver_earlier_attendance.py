"""Class attendance joined the statement feed after some marks had moved on.

Attendance recorded before a mark's position would never be delivered to that LRS:
the mark is moved back to just before the earliest such attendance. What follows is
sent again; the LRS drops the statements it already holds (their ids are stable).
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

# Sorts before every kind of statement stored at the same instant.
BEFORE_ALL = -1


def rewind_marks(apps, schema_editor):
    LrsPushMark = apps.get_model("api", "LrsPushMark")
    Attendance = apps.get_model("hours", "Attendance")
    for mark in LrsPushMark.objects.exclude(position=None):
        reached = dt.datetime.fromisoformat(mark.position[0])
        if timezone.is_naive(reached):
            reached = timezone.make_aware(reached)
        first = (
            Attendance.objects.filter(recorded_at__lt=reached)
            .order_by("recorded_at")
            .values_list("recorded_at", flat=True)
            .first()
        )
        if first is not None:
            mark.position = [first.isoformat(), BEFORE_ALL, 0, 0]
            mark.save(update_fields=["position"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("hours", "0003_administrator_permissions"),
    ]

    operations = [migrations.RunPython(rewind_marks, migrations.RunPython.noop)]
