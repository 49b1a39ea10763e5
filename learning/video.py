"""Server-side record of video playback: a lesson with videos is done only when the
server has seen at least WATCHED_SHARE of each video played.

Guarantees: the share is computed from heartbeats the server accepted, never from a
total the browser reports; a heartbeat counts one segment at most, and only when a
segment's worth of wall-clock time has passed since the last one accepted.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone

from .models import LessonPage, VideoWatch

SEGMENT_SECONDS = 5
WATCHED_SHARE = 0.9
# Browsers throttle timers; a beat up to a second early still counts.
SLACK_SECONDS = 1
# Longer than any lesson video; guards the segment list against absurd durations.
MAX_DURATION = 6 * 3600


def lesson_videos(lesson: LessonPage) -> list[str]:
    """The addresses of the videos a lesson shows, in order."""
    sources = []
    for block in lesson.body:
        if block.block_type != "video":
            continue
        document = block.value.get("document")
        source = document.url if document else block.value.get("url", "")
        if source:
            sources.append(source)
    return sources


@transaction.atomic
def video_heartbeat(
    *,
    user,
    lesson: LessonPage,
    source: str,
    position: float,
    duration: float,
    now: dt.datetime | None = None,
) -> VideoWatch | None:
    """Record that ``user`` is playing ``source`` at ``position`` seconds; None for a
    video the lesson does not show or figures that are not a playback position."""
    if source not in lesson_videos(lesson):
        return None
    if not (0 < duration <= MAX_DURATION) or not (0 <= position <= duration):
        return None
    now = now or timezone.now()
    watch, _created = VideoWatch.objects.select_for_update().get_or_create(
        user=user, lesson=lesson, source=source, defaults={"duration": duration}
    )
    gap = SEGMENT_SECONDS - SLACK_SECONDS
    if watch.last_beat_at and (now - watch.last_beat_at).total_seconds() < gap:
        return watch
    segment = int(position // SEGMENT_SECONDS)
    if segment not in watch.seen:
        watch.seen = sorted([*watch.seen, segment])
    watch.last_beat_at = now
    watch.save(update_fields=["seen", "last_beat_at"])
    return watch


def watched_share(watch: VideoWatch | None) -> float:
    if watch is None:
        return 0.0
    segments = max(1, math.ceil(watch.duration / SEGMENT_SECONDS))
    return min(1.0, len(watch.seen) / segments)


def videos_unwatched(*, user, lesson: LessonPage) -> list[str]:
    """The lesson's videos the server has not seen played to WATCHED_SHARE."""
    sources = lesson_videos(lesson)
    if not sources:
        return []
    watches = {
        w.source: w
        for w in VideoWatch.objects.filter(user=user, lesson=lesson, source__in=sources)
    }
    return [s for s in sources if watched_share(watches.get(s)) < WATCHED_SHARE]
