"""Reads for daily practice: the practice pool, a person's own answers, the wrong-answer
book (错题本), when right answers may be shown, the person's own mastery and their
weekly summary.

Everything here reads one person's own data (``user`` is always the person asking);
nothing compares people or reaches anyone else's answers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from assessments.models import (
    Attempt,
    ExternalResult,
    Question,
    QuestionVersion,
    Quiz,
    QuizSlot,
    Response,
)
from assessments.pools import exam_question_ids, pool_q, quiz_specs
from assessments.presenters import review_options
from assessments.services.attempts import attempts_remaining
from insights import analytics

from .models import PracticeAnswer, PracticeSource

# A question leaves the book after this many correct answers following the last
# wrong one.
CORRECT_TO_LEAVE = 2


def _practice_quizzes():
    return (
        Quiz.objects.filter(exam_paper=False, single_attempt=False, draft=False)
        .select_related("category")
        .prefetch_related(
            Prefetch("slots", QuizSlot.objects.select_related("draw_category"))
        )
    )


def practice_pool_q() -> Q | None:
    """What trainers opened to practice: marked categories and questions and the pools
    of published practice quizzes (before leaving out exam questions)."""
    combined = None
    sources = PracticeSource.objects.select_related("category")
    for source in sources:
        if source.question_id:
            q = Q(pk=source.question_id)
        else:
            root = source.category
            q = Q(category=root) | Q(category__path__startswith=root.path + "/")
        combined = q if combined is None else combined | q
    quiz_q = pool_q(spec for quiz in _practice_quizzes() for spec in quiz_specs(quiz))
    if quiz_q is not None:
        combined = quiz_q if combined is None else combined | quiz_q
    return combined


def practice_pool_ids() -> set[int]:
    """Questions daily practice may draw: open to practice, active, marked by the
    machine (no essays), and in no exam's pool."""
    opened = practice_pool_q()
    if opened is None:
        return set()
    ids = set(
        Question.objects.filter(opened)
        .filter(active=True)
        .exclude(type=Question.Type.ESSAY)
        .values_list("pk", flat=True)
    )
    return ids - exam_question_ids() if ids else ids


def exam_overlap(*, category_id: int | None, question_id: int | None) -> list[str]:
    """Titles of the exams whose pools share a question with a practice source."""
    if question_id:
        mine = Question.objects.filter(pk=question_id)
    elif category_id:
        from assessments.models import Category

        root = Category.objects.get(pk=category_id)
        mine = Question.objects.filter(
            Q(category=root) | Q(category__path__startswith=root.path + "/")
        )
    else:
        return []
    exams = (
        Quiz.objects.filter(Q(exam_paper=True) | Q(single_attempt=True))
        .select_related("category")
        .prefetch_related(
            Prefetch("slots", QuizSlot.objects.select_related("draw_category"))
        )
    )
    titles = []
    for quiz in exams:
        theirs = pool_q(quiz_specs(quiz))
        if theirs is not None and mine.filter(theirs).exists():
            titles.append(quiz.title)
    return sorted(titles)


@dataclass(frozen=True)
class AnswerEvent:
    """One of a person's answers to a question, from any source."""

    question_id: int
    at: dt.datetime
    fraction: Decimal
    points: Decimal
    source: str  # "quiz", "external" or "practice"
    quiz_id: int | None = None
    version_id: int | None = None
    answer: dict | None = None
    option_keys: list | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def answer_events(
    *, user: AbstractBaseUser, until: dt.datetime | None = None
) -> list[AnswerEvent]:
    """Every marked answer of the person, oldest first: finished attempts (not
    previews), imported exam results and practice answers."""
    responses = Response.objects.filter(
        item__attempt__user=user,
        item__attempt__status=Attempt.Status.FINISHED,
        item__attempt__preview=False,
        fraction__isnull=False,
    ).values_list(
        "item__question_id",
        "item__attempt__finished_at",
        "item__attempt__started_at",
        "fraction",
        "item__points",
        "item__attempt__quiz_id",
        "item__version_id",
        "answer",
        "item__option_keys",
    )
    events = [
        AnswerEvent(
            qid, finished or started, fraction, points, "quiz", quiz_id, vid, a, k
        )
        for qid, finished, started, fraction, points, quiz_id, vid, a, k in responses
    ]
    external = ExternalResult.objects.filter(user=user).values_list(
        "question_id", "answered_on", "score", "question__points"
    )
    events += [
        AnswerEvent(qid, _day_start(day), score, points, "external")
        for qid, day, score, points in external
    ]
    practised = PracticeAnswer.objects.filter(
        user=user, answered_at__isnull=False
    ).values_list(
        "question_id",
        "answered_at",
        "fraction",
        "points",
        "version_id",
        "answer",
        "option_keys",
    )
    events += [
        AnswerEvent(qid, at, fraction, points, "practice", None, vid, a, k)
        for qid, at, fraction, points, vid, a, k in practised
    ]
    if until is not None:
        events = [e for e in events if e.at <= until]
    events.sort(key=lambda e: (e.at, e.source))
    return events


@dataclass
class BookEntry:
    """A question in the person's wrong-answer book."""

    question_id: int
    wrong: AnswerEvent
    wrong_count: int = 0
    correct_since: int = 0
    quiz_ids: set[int] = field(default_factory=set)

    @property
    def correct_needed(self) -> int:
        return CORRECT_TO_LEAVE - self.correct_since


def book_entries(events: list[AnswerEvent]) -> dict[int, BookEntry]:
    """The questions answered wrongly and not yet answered right twice since.

    A wrong answer (less than full marks) puts a question in the book, or keeps it
    there and starts its count again; each later right answer counts, and the second
    one takes it out. Essays never enter: a marker's partial mark is not "wrong".
    """
    entries: dict[int, BookEntry] = {}
    met_in: dict[int, set[int]] = defaultdict(set)
    wrongs: dict[int, int] = defaultdict(int)
    for event in events:
        if event.quiz_id:
            met_in[event.question_id].add(event.quiz_id)
        entry = entries.get(event.question_id)
        if event.fraction < 1:
            wrongs[event.question_id] += 1
            entries[event.question_id] = BookEntry(event.question_id, event)
        elif entry is not None:
            entry.correct_since += 1
            if entry.correct_since >= CORRECT_TO_LEAVE:
                del entries[event.question_id]
    essays = set(
        Question.objects.filter(
            pk__in=list(entries), type=Question.Type.ESSAY
        ).values_list("pk", flat=True)
    )
    for qid in essays:
        del entries[qid]
    for qid, entry in entries.items():
        entry.wrong_count = wrongs[qid]
        entry.quiz_ids = met_in[qid]
    return entries


def book_count(*, user: AbstractBaseUser) -> int:
    return len(book_entries(answer_events(user=user)))


def _quiz_allows(quiz: Quiz, used: int, now: dt.datetime) -> tuple[bool, bool]:
    """(right answer, explanation) that ``quiz``'s review rules allow the person now,
    after ``used`` attempts of theirs."""
    closed = bool(quiz.close_at and now >= quiz.close_at)
    exam = quiz.keeps_exam_papers
    if exam and not used and not closed:
        # An exam the person has still to sit: nothing before it is sat.
        return False, False
    options = review_options(quiz, attempts_left=attempts_remaining(quiz, used))
    return bool(options["right_answer"]), bool(options["explanation"])


def answers_visible(
    *,
    user: AbstractBaseUser,
    question_ids: set[int],
    met_in: dict[int, set[int]],
    now: dt.datetime | None = None,
) -> dict[int, tuple[bool, bool]]:
    """For each question: may the person see (right answer, explanation) now?

    Never earlier than any quiz they met it in would show it, nor than any exam whose
    pool holds it (an exam they have not sat shows nothing until it closes).
    """
    now = now or timezone.now()
    if not question_ids:
        return {}
    quizzes: dict[int, Quiz] = {}
    governing: dict[int, set[int]] = {
        qid: set(met_in.get(qid, ())) for qid in question_ids
    }
    exams = (
        Quiz.objects.filter(Q(exam_paper=True) | Q(single_attempt=True))
        .select_related("category")
        .prefetch_related(
            Prefetch("slots", QuizSlot.objects.select_related("draw_category"))
        )
    )
    for quiz in exams:
        theirs = pool_q(quiz_specs(quiz))
        if theirs is None:
            continue
        hits = Question.objects.filter(theirs).filter(pk__in=question_ids)
        for qid in hits.values_list("pk", flat=True):
            governing[qid].add(quiz.pk)
            quizzes[quiz.pk] = quiz
    wanted = {pk for pks in governing.values() for pk in pks} - set(quizzes)
    quizzes.update(Quiz.objects.in_bulk(wanted))
    used = dict(
        Attempt.objects.filter(user=user, quiz_id__in=list(quizzes), preview=False)
        .values_list("quiz_id")
        .annotate(n=Count("pk"))
        .values_list("quiz_id", "n")
    )
    allowed = {pk: _quiz_allows(q, used.get(pk, 0), now) for pk, q in quizzes.items()}
    out = {}
    for qid, pks in governing.items():
        rules = [allowed[pk] for pk in pks]
        out[qid] = (all(r for r, _e in rules), all(e for _r, e in rules))
    return out


@dataclass
class BookRow:
    entry: BookEntry
    question: Question
    version: QuestionVersion | None
    show_answer: bool
    show_explanation: bool
    source_title: str


def book_for(
    *, user: AbstractBaseUser, now: dt.datetime | None = None
) -> list[BookRow]:
    """The person's wrong-answer book, newest mistake first."""
    entries = book_entries(answer_events(user=user))
    visible = answers_visible(
        user=user,
        question_ids=set(entries),
        met_in={qid: e.quiz_ids for qid, e in entries.items()},
        now=now,
    )
    questions = Question.objects.prefetch_related(
        "indicators", "business_lines"
    ).in_bulk(list(entries))
    version_ids = [e.wrong.version_id for e in entries.values() if e.wrong.version_id]
    versions = QuestionVersion.objects.in_bulk(version_ids)
    titles = dict(
        Quiz.objects.filter(
            pk__in=[e.wrong.quiz_id for e in entries.values() if e.wrong.quiz_id]
        ).values_list("pk", "title")
    )
    rows = [
        BookRow(
            entry=entry,
            question=questions[qid],
            version=versions.get(entry.wrong.version_id),
            show_answer=visible[qid][0],
            show_explanation=visible[qid][1],
            source_title=titles.get(entry.wrong.quiz_id, ""),
        )
        for qid, entry in entries.items()
        if qid in questions
    ]
    rows.sort(key=lambda r: r.entry.wrong.at, reverse=True)
    return rows


def _response_frame(events: list[AnswerEvent], user_id: int):
    return analytics.frame(
        [
            (user_id, e.question_id, float(max(0, min(1, e.fraction))), float(e.points))
            for e in events
        ],
        analytics.RESPONSE_COLUMNS,
    )


def _indicator_frame(question_ids) -> object:
    pairs = Question.indicators.through.objects.filter(
        question_id__in=list(question_ids)
    ).values_list("question_id", "indicator__code")
    return analytics.frame(list(pairs), analytics.QUESTION_INDICATOR_COLUMNS)


@dataclass(frozen=True)
class OwnMastery:
    """The person's own mastery per indicator code, and their overall share."""

    by_indicator: dict[str, float]
    answered: dict[str, float]
    overall: float | None

    def of(self, code: str) -> float | None:
        return self.by_indicator.get(code, self.overall)


def own_mastery_from(events: list[AnswerEvent], *, user_id: int) -> OwnMastery:
    """:func:`insights.analytics.own_mastery` of these answers (practice included)."""
    if not events:
        return OwnMastery({}, {}, None)
    frame = analytics.own_mastery(
        _response_frame(events, user_id),
        _indicator_frame({e.question_id for e in events}),
    )
    if frame.empty:
        share = sum(float(e.fraction) * float(e.points) for e in events) / sum(
            float(e.points) for e in events
        )
        return OwnMastery({}, {}, max(0.0, min(1.0, share)))
    return OwnMastery(
        dict(zip(frame["indicator_code"], frame["mastery"].astype(float), strict=True)),
        dict(
            zip(frame["indicator_code"], frame["possible"].astype(float), strict=True)
        ),
        float(frame["overall"].iloc[0]),
    )


def own_mastery(
    *, user: AbstractBaseUser, until: dt.datetime | None = None
) -> OwnMastery:
    return own_mastery_from(answer_events(user=user, until=until), user_id=user.pk)


def day_answers(*, user: AbstractBaseUser, day: dt.date) -> list[PracticeAnswer]:
    """The person's practice questions of one day, in order."""
    return list(
        PracticeAnswer.objects.filter(user=user, day=day)
        .select_related("version", "question")
        .order_by("position")
    )


def day_progress(*, user: AbstractBaseUser, day: dt.date) -> dict:
    """``{"total", "answered", "right"}`` of the person's practice of one day."""
    rows = PracticeAnswer.objects.filter(user=user, day=day).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        right=Count("pk", filter=Q(fraction__gte=1)),
    )
    return rows


@dataclass
class WeekRow:
    code: str
    name: str
    answered: int
    right: int
    mastery: float | None
    change: float | None


def weekly_summary(*, user: AbstractBaseUser, now: dt.datetime | None = None) -> dict:
    """The person's own last seven days per indicator: answers, right answers, and
    their own mastery now against a week ago (compared with nobody else)."""
    from organisation.models import Indicator

    now = now or timezone.now()
    start = now - dt.timedelta(days=7)
    events = answer_events(user=user)
    before = [e for e in events if e.at <= start]
    week = [e for e in events if start < e.at <= now]
    current = own_mastery_from([e for e in events if e.at <= now], user_id=user.pk)
    previous = own_mastery_from(before, user_id=user.pk)
    tags: dict[int, list[str]] = defaultdict(list)
    for qid, code in Question.indicators.through.objects.filter(
        question_id__in={e.question_id for e in week}
    ).values_list("question_id", "indicator__code"):
        tags[qid].append(code)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for event in week:
        for code in tags[event.question_id]:
            counts[code][0] += 1
            counts[code][1] += int(event.fraction >= 1)
    names = dict(
        Indicator.objects.filter(code__in=list(counts)).values_list("code", "name")
    )
    rows = []
    for code in sorted(counts):
        now_m = current.by_indicator.get(code)
        was = previous.by_indicator.get(code)
        rows.append(
            WeekRow(
                code=code,
                name=names.get(code, code),
                answered=counts[code][0],
                right=counts[code][1],
                mastery=now_m,
                change=(now_m - was) if now_m is not None and was is not None else None,
            )
        )
    days = (
        PracticeAnswer.objects.filter(
            user=user, answered_at__gt=start, answered_at__lte=now
        )
        .values("day")
        .distinct()
        .count()
    )
    return {
        "start": timezone.localdate(start),
        "end": timezone.localdate(now),
        "rows": rows,
        "answered": len(week),
        "right": sum(1 for e in week if e.fraction >= 1),
        "practice_days": days,
    }
