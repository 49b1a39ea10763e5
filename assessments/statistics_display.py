"""Item statistics as a trainer reads them: options by letter (A, B, C…) with their
text, questions by code and the start of their text, and snapshots that are never
older than the attempts they describe."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Max
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import pgettext

from .models import Attempt, Question, QuestionVersion, StatisticsSnapshot

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SHORT_TEXT = 40
SHORT_OPTION = 24


def _short(text: str, length: int) -> str:
    return Truncator(" ".join(strip_tags(text or "").split())).chars(length)


def _option_labels(question_ids: set[int]) -> dict[int, dict[str, tuple[str, str]]]:
    """Option key → (letter, text) per question, the newest version's order first;
    keys that only older versions used keep the letter they had there."""
    labels: dict[int, dict[str, tuple[str, str]]] = {}
    versions = QuestionVersion.objects.filter(question_id__in=question_ids).order_by(
        "question_id", "-number"
    )
    for version in versions.only("question_id", "data"):
        known = labels.setdefault(version.question_id, {})
        for index, option in enumerate(version.data.get("options") or []):
            key = option.get("key")
            if key and key not in known and index < len(LETTERS):
                known[key] = (LETTERS[index], _short(option.get("text", ""), 60))
    return labels


def _options(counts: dict, labels: dict[str, tuple[str, str]]) -> list[dict]:
    rows = []
    for key, count in counts.items():
        if key == "true":
            rows.append(
                {
                    "letter": pgettext("true/false answer", "True"),
                    "text": "",
                    "count": count,
                }
            )
            continue
        if key == "false":
            rows.append(
                {
                    "letter": pgettext("true/false answer", "False"),
                    "text": "",
                    "count": count,
                }
            )
            continue
        letter, text = labels.get(str(key).split(":", 1)[0], ("?", ""))
        rows.append({"letter": letter, "text": text, "count": count})
    return sorted(rows, key=lambda r: (len(r["letter"]), r["letter"]))


def statistics_rows(snapshot: StatisticsSnapshot) -> list[dict]:
    """The snapshot's question rows with ``text`` (short) and ``option_rows``."""
    ids = {row["question_id"] for row in snapshot.questions if row.get("question_id")}
    texts = dict(Question.objects.filter(pk__in=ids).values_list("pk", "text"))
    labels = _option_labels(ids)
    rows = []
    for row in snapshot.questions:
        qid = row.get("question_id")
        option_rows = _options(row.get("options") or {}, labels.get(qid, {}))
        rows.append(
            {
                **row,
                "text": _short(texts.get(qid, ""), SHORT_TEXT),
                "option_rows": option_rows,
                "options_by_letter": "; ".join(
                    f"{o['letter']}={o['count']}" for o in option_rows
                ),
            }
        )
    return rows


def stale_quiz_ids() -> list[int]:
    """Quizzes whose finished attempts are newer than their snapshot (or have none)."""
    latest = (
        Attempt.objects.filter(status=Attempt.Status.FINISHED, preview=False)
        .values("quiz_id")
        .annotate(last=Max("finished_at"))
    )
    computed = dict(
        StatisticsSnapshot.objects.filter(quiz__isnull=False).values_list(
            "quiz_id", "computed_at"
        )
    )
    return [
        row["quiz_id"]
        for row in latest
        if row["quiz_id"] not in computed
        or (row["last"] is not None and row["last"] > computed[row["quiz_id"]])
    ]


def statistics_bring_up_to_date() -> list[int]:
    """Make the statistics page never older than its attempts.

    With a broker, a submission already queued a debounced recompute; a quiz still
    stale here gets one queued (the cache lock keeps it to one). In-process (eager)
    mode queues nothing at submission, so the page computes what is stale itself.
    """
    from .services.statistics import statistics_compute, statistics_compute_bank
    from .tasks import compute_quiz_statistics, statistics_refresh_soon

    stale = stale_quiz_ids()
    if not stale:
        return []
    if compute_quiz_statistics.app.conf.task_always_eager:
        for quiz_id in stale:
            statistics_compute(quiz_id=quiz_id)
        statistics_compute_bank()
    else:
        never = set(stale) - set(
            StatisticsSnapshot.objects.filter(quiz_id__in=stale).values_list(
                "quiz_id", flat=True
            )
        )
        for quiz_id in stale:
            # A quiz with no figures at all is computed now rather than after the
            # debounce, so its first attempts never leave the page empty for minutes.
            if quiz_id in never:
                if cache.add(f"assessments:statistics-first:{quiz_id}", 1, 60):
                    compute_quiz_statistics.delay(quiz_id)
            else:
                statistics_refresh_soon(quiz_id)
    return stale
