"""Question bank, quizzes, attempts, responses, marking audit and statistics snapshots.

Everything a learner did is a row: an attempt has one item per question shown (in
the order shown, with the option order it showed) and one response per item. Items
point at a frozen :class:`QuestionVersion`, so editing a question in the bank never
changes what an attempt showed or how it was marked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.search import index

from organisation.validators import validate_code


class Category(models.Model):
    """A node of the category tree; ``path`` is the names joined by ``/`` (e.g. 指标/案-件比)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
    )
    path = models.CharField(_("path"), max_length=500, unique=True, editable=False)

    panels = [FieldPanel("name"), FieldPanel("parent")]

    class Meta:
        ordering = ["path"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="assessments_category_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.path or self.name

    def save(self, *args, **kwargs):
        # The path is derived from this row and its parent: it is what imports name.
        self.name = self.name.replace("/", "／").strip()
        self.path = f"{self.parent.path}/{self.name}" if self.parent else self.name
        super().save(*args, **kwargs)
        for child in self.children.all():
            child.save()


class Question(index.Indexed, ClusterableModel):
    class Type(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True / false")
        NUMERIC = "numeric", _("Numeric")
        SHORT = "short", _("Short answer")
        ESSAY = "essay", _("Essay")

    class MultipleGrading(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
        PARTIAL = "partial", _("Partial credit (wrong picks deduct marks)")

    class OptionOrder(models.TextChoices):
        AUTHORED = "authored", _("As authored")
        ALPHABETICAL = "alphabetical", _("Alphabetical")
        RANDOM = "random", _("Random (kept per attempt)")

    class TextFormat(models.TextChoices):
        PLAIN = "plain", _("Plain text")
        HTML = "html", _("HTML (sanitised)")
        MARKDOWN = "markdown", _("Markdown")

    class Difficulty(models.IntegerChoices):
        EASY = 1, _("Easy")
        MEDIUM = 2, _("Medium")
        HARD = 3, _("Hard")

    code = models.CharField(
        _("code"), max_length=64, unique=True, validators=[validate_code]
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("category"),
    )
    type = models.CharField(
        _("type"), max_length=20, choices=Type.choices, default=Type.SINGLE
    )
    text = models.TextField(_("question text"))
    # How text, options, feedback and explanation are written. HTML is kept
    # sanitised and sanitised again when shown; Markdown is rendered when shown.
    text_format = models.CharField(
        _("text format"),
        max_length=10,
        choices=TextFormat.choices,
        default=TextFormat.PLAIN,
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=1)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    explanation = models.TextField(_("explanation"), blank=True)
    figure = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("figure"),
    )
    option_order = models.CharField(
        _("option order"),
        max_length=20,
        choices=OptionOrder.choices,
        default=OptionOrder.RANDOM,
    )
    multiple_grading = models.CharField(
        _("multiple choice marking"),
        max_length=20,
        choices=MultipleGrading.choices,
        default=MultipleGrading.ALL_OR_NOTHING,
    )
    correct_bool = models.BooleanField(
        _("true/false: the statement is true"), null=True, blank=True
    )
    numeric_answer = models.DecimalField(
        _("numeric answer"), max_digits=16, decimal_places=6, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance (±)"), max_digits=16, decimal_places=6, default=0
    )
    accepted_answers = models.TextField(
        _("accepted answers"),
        blank=True,
        help_text=_("Short answer: one accepted text per line."),
    )
    # Graded answers beyond what the fields above say, as imported from Moodle:
    # short answers [{"text", "fraction", "feedback"}] and numeric answers
    # [{"value", "tolerance", "fraction", "feedback"}] (partial credit, a "*"
    # catch-all), or true/false feedback [{"value": bool, "feedback"}]. Empty for
    # questions that the fields above describe completely.
    answers = models.JSONField(_("graded answers"), default=list, blank=True)
    marking_guide = models.TextField(
        _("marking guide"),
        blank=True,
        help_text=_(
            "Essay: what a full answer contains and how marks are given. Shown to "
            "markers only, never to learners."
        ),
    )
    idnumber = models.CharField(_("ID number"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    indicators = ParentalManyToManyField(
        "organisation.Indicator",
        blank=True,
        related_name="questions",
        verbose_name=_("indicators"),
    )
    business_lines = ParentalManyToManyField(
        "organisation.BusinessLine",
        blank=True,
        related_name="questions",
        verbose_name=_("business lines"),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The editor's panels are in assessments.admin_panels (one panel per type).

    search_fields = [
        index.SearchField("text"),
        index.AutocompleteField("code"),
        index.FilterField("type"),
        index.FilterField("category"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.code} · {self.text[:40]}"

    def clean(self):
        super().clean()
        # An emptied JSON box in the admin means "none", not SQL NULL.
        self.answers = self.answers or []
        self.tags = self.tags or []


class Option(models.Model):
    """An option of a choice question. ``fraction`` is the share of the points it earns (−1…1)."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option text"), max_length=1000)
    fraction = models.DecimalField(
        _("fraction of the points"),
        max_digits=6,
        decimal_places=5,
        default=0,
        help_text=_("1 = fully correct, 0 = wrong, negative = deducts marks."),
    )
    feedback = models.CharField(_("feedback"), max_length=1000, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    panels = [
        FieldPanel("text"),
        # The editor script reads the score aloud in words next to the box.
        FieldPanel(
            "fraction", attrs={"data-option-fraction": ""}, classname="option-score"
        ),
        FieldPanel("feedback"),
    ]

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.text


class QuestionVersion(models.Model):
    """A frozen copy of a question as shown to learners.

    ``data`` holds everything needed to render and mark it: type, text, points,
    explanation, options ``[{"key", "text", "fraction", "feedback"}]`` (keys are
    random tokens, never the authored position), the true/false, numeric and short
    answers. A version that has been shown is never changed again.
    """

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "number"], name="assessments_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"


class Quiz(ClusterableModel):
    """A quiz: fixed questions and random draws, with its rules for attempts and review."""

    class FeedbackMode(models.TextChoices):
        AT_END = "end", _("Review at the end")
        IMMEDIATE = "immediate", _("Immediate feedback after each question")

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest grade")
        LAST = "last", _("Last attempt")
        FIRST = "first", _("First attempt")
        AVERAGE = "average", _("Average of attempts")

    class ReviewTiming(models.TextChoices):
        EACH_ATTEMPT = "each_attempt", _("After each attempt (practice)")
        LAST_ATTEMPT = (
            "last_attempt",
            _("After the learner's last attempt, or once the quiz closes (exam)"),
        )

    class OverduePolicy(models.TextChoices):
        AUTOSUBMIT = "autosubmit", _("Submit automatically when time is up")
        GRACE = "grace", _("Grace period to submit, then not counted")
        NOT_COUNTED = "not_counted", _("Not counted unless submitted in time")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Leave empty to make one from the title."),
    )
    description = models.TextField(_("description"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    draft = models.BooleanField(_("draft"), default=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
        verbose_name=_("category"),
    )
    success_text = models.TextField(_("text shown on passing"), blank=True)
    fail_text = models.TextField(_("text shown on failing"), blank=True)
    random_order = models.BooleanField(_("shuffle question order"), default=False)
    max_questions = models.PositiveIntegerField(
        _("maximum questions drawn"),
        null=True,
        blank=True,
        help_text=_("Draw this many questions from the quiz's pool; empty = all."),
    )
    feedback_mode = models.CharField(
        _("feedback"),
        max_length=20,
        choices=FeedbackMode.choices,
        default=FeedbackMode.AT_END,
    )
    exam_paper = models.BooleanField(_("keep attempts as exam papers"), default=True)
    single_attempt = models.BooleanField(_("single attempt"), default=False)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 = unlimited")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=20,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    open_at = models.DateTimeField(_("opens"), null=True, blank=True)
    close_at = models.DateTimeField(_("closes"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    overdue_policy = models.CharField(
        _("when time is up"),
        max_length=20,
        choices=OverduePolicy.choices,
        default=OverduePolicy.AUTOSUBMIT,
    )
    grace_minutes = models.PositiveIntegerField(_("grace period (minutes)"), default=0)
    # Review options: what a learner sees right after submitting, and after closing.
    review_correctness = models.BooleanField(
        _("after submitting: whether correct"), default=True
    )
    review_marks = models.BooleanField(_("after submitting: marks"), default=True)
    review_right_answer = models.BooleanField(
        _("after submitting: right answer"), default=True
    )
    review_explanation = models.BooleanField(
        _("after submitting: explanation"), default=True
    )
    # An exam sat up to three times must not hand out its answers after the first.
    right_answers_after = models.CharField(
        _("right answers and explanations are shown"),
        max_length=20,
        choices=ReviewTiming.choices,
        default=ReviewTiming.LAST_ATTEMPT,
        help_text=_(
            "Applies to the options “after submitting: right answer” and "
            "“explanation”; after the quiz closes the options below apply."
        ),
    )
    closed_review_correctness = models.BooleanField(
        _("after the quiz closes: whether correct"), default=True
    )
    closed_review_marks = models.BooleanField(
        _("after the quiz closes: marks"), default=True
    )
    closed_review_right_answer = models.BooleanField(
        _("after the quiz closes: right answer"), default=True
    )
    closed_review_explanation = models.BooleanField(
        _("after the quiz closes: explanation"), default=True
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("category"),
        FieldPanel("draft"),
        InlinePanel("slots", label=_("Questions and random draws")),
        MultiFieldPanel(
            [
                FieldPanel("random_order"),
                FieldPanel("max_questions"),
                FieldPanel("feedback_mode"),
            ],
            heading=_("Order and feedback"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("success_text"),
                FieldPanel("fail_text"),
                FieldPanel("exam_paper"),
                FieldPanel("single_attempt"),
                FieldPanel("attempts_allowed"),
                FieldPanel("grading_method"),
            ],
            heading=_("Grading and attempts"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("open_at"), FieldPanel("close_at")]),
                FieldPanel("time_limit_minutes"),
                FieldPanel("overdue_policy"),
                FieldPanel("grace_minutes"),
                InlinePanel("extra_times", label=_("Extra time for a person")),
            ],
            heading=_("Timing"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("review_correctness"),
                FieldPanel("review_marks"),
                FieldPanel("review_right_answer"),
                FieldPanel("review_explanation"),
                FieldPanel("right_answers_after"),
                FieldPanel("closed_review_correctness"),
                FieldPanel("closed_review_marks"),
                FieldPanel("closed_review_right_answer"),
                FieldPanel("closed_review_explanation"),
            ],
            heading=_("Review options"),
        ),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__lte=100), name="assessments_quiz_pass_mark_100"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def keeps_exam_papers(self) -> bool:
        """A single-attempt quiz always keeps its paper, as django-quiz-app did."""
        return self.exam_paper or self.single_attempt

    def clean_fields(self, exclude=None):
        # A Chinese title (or a slug typed in Chinese) gives an address in ASCII
        # instead of an error, before the slug validator runs.
        self.slug = quiz_slug(title=self.title, slug=self.slug, pk=self.pk)
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = quiz_slug(title=self.title, slug="", pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assessments:quiz", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        if self.single_attempt:
            self.exam_paper = True
        several = not self.single_attempt and self.attempts_allowed != 1
        if (
            self.feedback_mode == self.FeedbackMode.IMMEDIATE
            and self.right_answers_after == self.ReviewTiming.LAST_ATTEMPT
            and several
        ):
            raise ValidationError(
                {
                    "right_answers_after": _(
                        "Immediate feedback shows the right answer of each question "
                        "as soon as it is checked. For a quiz sat more than once, "
                        "give feedback at the end, or allow right answers after "
                        "each attempt."
                    )
                }
            )


def quiz_slug(*, title: str, slug: str, pk: int | None) -> str:
    """An unused ASCII slug: the one given or made from the title, with a short
    code from the title when too little of it is ASCII (Chinese titles)."""
    import hashlib

    from django.utils.text import slugify

    base = slugify(slug or "")[:80] if slug else ""
    if slug and base == slug:
        candidate = base
    else:
        base = base or slugify(title or "")[:60]
        if len(base) < 3:
            code = hashlib.sha1((slug or title or "quiz").encode("utf-8")).hexdigest()
            base = "-".join(p for p in (base, "quiz", code[:6]) if p)
        candidate = base
    others = Quiz.objects.exclude(pk=pk) if pk else Quiz.objects.all()
    taken = set(
        others.filter(slug__startswith=candidate).values_list("slug", flat=True)
    )
    number, unique = 2, candidate
    while unique in taken:
        unique = f"{candidate}-{number}"
        number += 1
    return unique


class QuizSlot(models.Model):
    """One entry of a quiz: a fixed question, or "draw N from a category / tag"."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(
        Question,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slots",
        verbose_name=_("fixed question"),
    )
    draw_count = models.PositiveSmallIntegerField(_("random draw: how many"), default=0)
    draw_category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("random draw: from category (and sub-categories)"),
    )
    draw_indicator = models.ForeignKey(
        "organisation.Indicator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("random draw: tagged with indicator"),
    )
    draw_business_line = models.ForeignKey(
        "organisation.BusinessLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("random draw: tagged with business line"),
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    panels = [
        FieldPanel("question"),
        FieldRowPanel(
            [
                FieldPanel("draw_count"),
                FieldPanel("draw_category"),
                FieldPanel("draw_indicator"),
                FieldPanel("draw_business_line"),
            ]
        ),
    ]

    class Meta:
        ordering = ["sort_order", "id"]


class ExtraTime(models.Model):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="extra_times")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    minutes = models.PositiveIntegerField(_("extra minutes"))

    panels = [FieldPanel("user"), FieldPanel("minutes")]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user"], name="assessments_extratime_unique"
            )
        ]


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", pgettext_lazy("quiz attempt", "In progress")
        AWAITING_MARKING = "awaiting_marking", _("Awaiting marking")
        FINISHED = "finished", _("Finished")

    class Ending(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("quiz attempt", "Submitted")
        AUTO = "auto", _("Submitted automatically at the time limit")
        OVERDUE = "overdue", _("Not submitted in time (not counted)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(null=True)
    number = models.PositiveIntegerField(default=1)
    deadline = models.DateTimeField(null=True, blank=True)
    # Sequence token: every accepted save increments it; a post carrying an older
    # value is stale (another tab, a replay) and is refused.
    seq = models.PositiveIntegerField(default=0)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    ending = models.CharField(max_length=20, choices=Ending.choices, blank=True)
    counted = models.BooleanField(default=True)
    preview = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["quiz", "user"]),
            models.Index(fields=["status", "deadline"], name="assess_attempt_open_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="assessments_attempt_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.number} ({self.user})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class AttemptItem(models.Model):
    """A question as one attempt showed it: position, version and option order."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="attempt_items"
    )
    version = models.ForeignKey(
        QuestionVersion, on_delete=models.PROTECT, related_name="attempt_items"
    )
    slot_position = models.PositiveSmallIntegerField(default=0)
    # The version's points, copied so that totals and category progress add up in SQL.
    points = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    option_keys = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    # Immediate-feedback quizzes lock an item once the learner checks it.
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="assessments_item_position"
            )
        ]


class Response(models.Model):
    """The learner's answer to one item, and its mark.

    ``answer`` is ``{"keys": [...]}`` for choice questions, ``{"value": bool}`` for
    true/false and ``{"text": "..."}`` for numeric, short and essay answers.
    ``score`` is in points (null while an essay awaits marking); ``fraction`` is
    score / points.
    """

    item = models.OneToOneField(
        AttemptItem, on_delete=models.CASCADE, related_name="response"
    )
    answer = models.JSONField(default=dict, blank=True)
    saved_at = models.DateTimeField(auto_now=True)
    seq = models.PositiveIntegerField(default=0)
    score = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    fraction = models.DecimalField(
        max_digits=7, decimal_places=5, null=True, blank=True
    )
    needs_marking = models.BooleanField(default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["needs_marking"],
                name="assess_resp_marking_idx",
                condition=Q(needs_marking=True),
            )
        ]


class MarkChange(models.Model):
    """Audit row: who changed a mark, when, from what to what, and why."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="mark_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    old_score = models.DecimalField(
        max_digits=8, decimal_places=3, null=True, blank=True
    )
    new_score = models.DecimalField(max_digits=8, decimal_places=3)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at"]


class ExternalResult(models.Model):
    """A result of an exam sat outside the platform (``import_results``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="external_results"
    )
    score = models.DecimalField(max_digits=6, decimal_places=5)
    answered_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question", "answered_on"],
                name="assessments_external_unique",
            )
        ]


class StatisticsSnapshot(models.Model):
    """Item statistics computed by the Celery task; ``quiz`` null = the whole bank."""

    quiz = models.ForeignKey(
        Quiz,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="statistics",
    )
    computed_at = models.DateTimeField(auto_now=True)
    test = models.JSONField(default=dict)
    questions = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz"], name="assessments_stats_one_per_quiz"
            )
        ]
