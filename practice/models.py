"""Daily practice: which questions trainers open to it, each person's schedule per
question, and the practice answers.

Practice answers live here and nowhere else: they are never attempts or responses of
the assessment engine, so reports, item statistics and the gap analysis (which read
only attempts and imported results) cannot count them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class PracticeSource(models.Model):
    """A category (with its sub-categories) or one question opened to daily practice.

    Questions of practice quizzes are open to it as well; questions in any exam's pool
    never are, whatever is marked here.
    """

    category = models.ForeignKey(
        "assessments.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category (and sub-categories)"),
    )
    question = models.ForeignKey(
        "assessments.Question",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("question"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [FieldPanel("category"), FieldPanel("question"), FieldPanel("note")]

    class Meta:
        verbose_name = _("practice source")
        verbose_name_plural = _("practice sources")
        constraints = [
            models.CheckConstraint(
                condition=(Q(category__isnull=False) & Q(question__isnull=True))
                | (Q(category__isnull=True) & Q(question__isnull=False)),
                name="practice_source_one_target",
            )
        ]

    def __str__(self) -> str:
        return str(self.category or self.question)


class Card(models.Model):
    """One person's spaced-repetition state for one question (FSRS memory model)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(
        "assessments.Question", on_delete=models.CASCADE, related_name="+"
    )
    state = models.PositiveSmallIntegerField(default=1)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["user", "due"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"], name="practice_card_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.question_id} due {self.due:%Y-%m-%d}"


class PracticeAnswer(models.Model):
    """A question of one person's practice day, and their answer once given.

    ``option_keys`` is the option order shown; ``answer`` has the shape of
    :class:`assessments.models.Response`'s. ``fraction`` is null until answered.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(
        "assessments.Question", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        "assessments.QuestionVersion", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField()
    position = models.PositiveSmallIntegerField()
    option_keys = models.JSONField(default=list, blank=True)
    answer = models.JSONField(default=dict, blank=True)
    fraction = models.DecimalField(
        max_digits=7, decimal_places=5, null=True, blank=True
    )
    points = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "position"]
        indexes = [models.Index(fields=["user", "answered_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "question"], name="practice_answer_once_a_day"
            ),
            models.UniqueConstraint(
                fields=["user", "day", "position"], name="practice_answer_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} #{self.position}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
