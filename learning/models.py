from django import forms
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import AbstractGroupApprovalTask, Page, TaskState
from wagtail.search import index

from assessments.widgets import FilterableCheckboxes
from organisation.validators import validate_code

from .admin_forms import CourseAdminForm, LessonAdminForm
from .blocks import LessonStreamBlock
from .panels import CourseReviewPanel


class SignInRequiredMixin:
    """Course material is for staff: anonymous visitors are sent to sign in."""

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


def _routed_read(request, page):
    """What ``learning.serving`` read when it routed the request to ``page``."""
    read = getattr(request, "_learning_read", None)
    if read is None or getattr(request, "is_preview", False):
        return None
    return read if request._learning_page_id == page.pk else None


class CourseIndexPage(SignInRequiredMixin, Page):
    """The course catalogue."""

    intro = RichTextField(_("introduction"), blank=True)

    def get_context(self, request, *args, **kwargs):
        from .selectors import catalogue

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue(index=self, params=request.GET, user=request.user))
        return context

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["learning.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")


class CoursePageForm(CourseAdminForm):
    """Offers the course's own lessons only when naming what a material change
    changed, and refuses a change list without the material-change box (on top of
    the review's check that a submitted course has lessons)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("changed_lessons")
        if field is not None:
            if self.instance.pk:
                field.queryset = LessonPage.objects.child_of(self.instance).order_by(
                    "path"
                )
            else:
                field.queryset = LessonPage.objects.none()

    def clean(self):
        cleaned = super().clean()
        named = cleaned.get("changed_lessons") or cleaned.get("final_quiz_changed")
        if named and not cleaned.get("material_change"):
            self.add_error(
                "material_change",
                _("Tick this box to ask people to redo the parts you marked."),
            )
        if cleaned.get("final_quiz_changed") and not cleaned.get("final_quiz"):
            self.add_error(
                "final_quiz_changed", _("This course has no final quiz to redo.")
            )
        return cleaned


class CoursePage(SignInRequiredMixin, Page):
    """A course. Learner state (progress, completions) lives in plain models, never here."""

    code = models.CharField(
        _("course code"), max_length=40, unique=True, validators=[validate_code]
    )
    summary = models.TextField(_("summary"), blank=True)
    class_hours = models.DecimalField(
        _("class hours"), max_digits=5, decimal_places=1, default=1
    )
    mandatory = models.BooleanField(_("mandatory"), default=False)
    business_lines = ParentalManyToManyField(
        "organisation.BusinessLine", verbose_name=_("business lines"), blank=True
    )
    indicators = ParentalManyToManyField(
        "organisation.Indicator", verbose_name=_("indicators targeted"), blank=True
    )
    # Bumped when a version is published as a material change (see learning.services).
    content_version = models.PositiveIntegerField(default=1, editable=False)
    # When the current version was published; lessons done before it do not count.
    content_version_since = models.DateTimeField(null=True, editable=False)

    class CompletionRule(models.TextChoices):
        REQUIRED_LESSONS = (
            "required_lessons",
            _("All required lessons (and the final quiz, if any)"),
        )
        ALL_LESSONS = (
            "all_lessons",
            _("Every lesson, optional ones too (and the final quiz, if any)"),
        )

    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    audience_note = models.CharField(
        _("audience"),
        max_length=200,
        blank=True,
        help_text=_("Who the course is for, e.g. 刑事检察部门检察官、检察官助理."),
    )
    keywords = models.CharField(
        _("search terms"),
        max_length=300,
        blank=True,
        help_text=_(
            "Terms separated by commas, such as 认罪认罚, 诉前羁押. Search keeps them "
            "whole."
        ),
    )
    prerequisites = ParentalManyToManyField(
        "learning.CoursePage",
        verbose_name=_("prerequisites"),
        blank=True,
        symmetrical=False,
        related_name="required_by",
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=20,
        choices=CompletionRule.choices,
        default=CompletionRule.REQUIRED_LESSONS,
    )
    final_quiz = models.ForeignKey(
        "assessments.Quiz",
        verbose_name=_("final quiz"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="final_for_courses",
    )
    material_change = models.BooleanField(
        _("this version is a material change"),
        default=False,
        help_text=_(
            "Tick when the content changed in substance: on publishing, everyone who "
            "completed an earlier version is asked to redo the parts marked below "
            "(the whole course when none is marked). These fields clear themselves "
            "after publishing."
        ),
    )
    changed_lessons = ParentalManyToManyField(
        "learning.LessonPage",
        verbose_name=_("lessons changed in substance"),
        blank=True,
        related_name="+",
    )
    final_quiz_changed = models.BooleanField(
        _("the final quiz changed in substance"), default=False
    )
    change_note = models.CharField(
        _("what changed"),
        max_length=300,
        blank=True,
        help_text=_(
            "One or two sentences shown on each changed section to the people who "
            "redo it, e.g. 依据2026年修订的办案规定更新了羁押必要性审查的程序。"
        ),
    )
    # When a material change last named the final quiz: passes before it do not count.
    final_quiz_changed_at = models.DateTimeField(null=True, editable=False)

    content_panels = Page.content_panels + [
        CourseReviewPanel(),
        MultiFieldPanel(
            [
                FieldPanel("code"),
                FieldPanel("summary"),
                FieldPanel("cover_image"),
                FieldPanel("audience_note"),
                FieldPanel("class_hours"),
                FieldPanel("mandatory"),
                FieldPanel("keywords"),
            ],
            heading=_("Course"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("completion_rule"),
                FieldPanel("final_quiz"),
                FieldPanel("prerequisites", widget=FilterableCheckboxes),
            ],
            heading=_("Completion"),
        ),
        # Ticked by name with a filter box, as in the question editor: a list box
        # of forty indicators asks for Ctrl-clicks and hides what is chosen.
        FieldPanel("business_lines", widget=FilterableCheckboxes),
        FieldPanel("indicators", widget=FilterableCheckboxes),
        MultiFieldPanel(
            [
                FieldPanel("material_change"),
                FieldPanel("changed_lessons", widget=forms.CheckboxSelectMultiple),
                FieldPanel("final_quiz_changed"),
                FieldPanel("change_note"),
            ],
            heading=_("Material change"),
        ),
    ]
    base_form_class = CoursePageForm
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.FilterField("code"),
        index.FilterField("mandatory"),
    ]
    parent_page_types = ["learning.CourseIndexPage"]
    subpage_types = ["learning.LessonPage"]

    class Meta:
        verbose_name = _("course")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def with_content_json(self, content):
        # The version belongs to the page, not to a revision: publishing an older
        # draft must never roll it back.
        obj = super().with_content_json(content)
        obj.content_version = self.content_version
        obj.content_version_since = self.content_version_since
        obj.final_quiz_changed_at = self.final_quiz_changed_at
        return obj

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        context["outline"] = course_outline(
            course=self, user=request.user, read=_routed_read(request, self)
        )
        return context


class LessonPage(SignInRequiredMixin, Page):
    base_form_class = LessonAdminForm
    body = StreamField(LessonStreamBlock(), blank=True, verbose_name=_("body"))
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=15
    )
    required = models.BooleanField(_("required"), default=True)
    # Set by a material change of the course that named this lesson: progress made
    # before it no longer counts, and the note tells those who redo the lesson why.
    material_change_at = models.DateTimeField(null=True, editable=False)
    change_note = models.CharField(max_length=300, blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("body"),
        FieldPanel("estimated_minutes"),
        FieldPanel("required"),
    ]
    # Derived from the body on save: the embedded quiz a learner must pass, so that
    # progress pages need not open every lesson's body.
    gate_quiz = models.ForeignKey(
        "assessments.Quiz",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["learning.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    # A lesson is reviewed with its course (learning.review), never on its own: a
    # trainer saves lesson drafts and submits the course once.
    @property
    def has_workflow(self) -> bool:
        return False

    def get_workflow(self):
        return None

    def get_lock(self):
        # Locked while the course is in review: approval publishes what was submitted.
        lock = super().get_lock()
        if lock is None:
            from .review import course_review_lock

            lock = course_review_lock(lesson=self)
        return lock

    def save(self, *args, **kwargs):
        self.gate_quiz_id = self.required_quiz_id()
        return super().save(*args, **kwargs)

    def with_content_json(self, content):
        # Like the course's version, the last material change belongs to the page:
        # publishing an older draft of the lesson must not undo it.
        obj = super().with_content_json(content)
        obj.material_change_at = self.material_change_at
        obj.change_note = self.change_note
        return obj

    def required_quiz_id(self) -> int | None:
        for block in self.body:
            if block.block_type == "quiz" and block.value.get("required_to_pass"):
                quiz = block.value.get("quiz")
                if quiz is not None:
                    return quiz.pk if hasattr(quiz, "pk") else quiz
        return None

    def get_context(self, request, *args, **kwargs):
        from .selectors import lesson_context
        from .serving import lesson_body

        context = super().get_context(request, *args, **kwargs)
        read = _routed_read(request, self)
        context.update(lesson_context(lesson=self, user=request.user, read=read))
        context["body_html"] = lesson_body(
            lesson=self,
            request=request,
            passed_quiz_ids=context["passed_quiz_ids"],
            read=read,
        )
        if request.user.is_authenticated and not getattr(request, "is_preview", False):
            from .services import lesson_shown

            lesson_shown(
                user=request.user,
                lesson=self,
                course=context["course"],
                progress=context["outline"].progress.get(self.pk),
            )
        return context


class LessonBody(models.Model):
    """A lesson's published body as rendered, per language (``learning.serving``).

    Kept in the database, not in Redis: the lesson page's one read
    (``learning.sql``) brings it with the page, one round trip fewer on the page
    every person opens most. Used only while ``stamp`` (live revision, time of
    publishing, address) matches the page served; dropped on every change that
    concerns it."""

    page = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=15)
    stamp = models.CharField(max_length=400)
    # The body as strings, each embedded quiz as [quiz id, passed, not yet].
    parts = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "language"], name="unique_lesson_body"
            )
        ]


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_progress",
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="progress"
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    # When the platform first rendered the lesson to the learner: a lesson is only
    # marked done some time after it was shown (LESSON_MIN_SECONDS_SHOWN).
    shown_at = models.DateTimeField(null=True, blank=True)
    # The learner said "done"; the lesson is complete once its required quiz is
    # passed as well (then completed_at is set).
    marked_done_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="unique_lesson_progress"
            )
        ]
        indexes = [
            models.Index(fields=["course", "user"]),
            # The completion report reads who made progress in a course within a
            # campaign's cycle from the index alone (an index-only scan).
            models.Index(
                fields=["course", "completed_at"],
                include=["user"],
                name="progress_course_day_cover",
            ),
        ]


class CourseCompletion(models.Model):
    """A course completed by a person: once per course version, online or offline."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline (imported)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="completions"
    )
    completed_on = models.DateField(_("completed on"), db_index=True)
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(
        max_length=10, choices=Source.choices, default=Source.ONLINE
    )
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # How an imported completion was described (线下集中培训, 网络学院…), kept as
    # written; ``source`` holds the kind inferred from it or set explicitly.
    source_text = models.CharField(_("training form"), max_length=100, blank=True)
    # Hours credited when they differ from the course's own (学时).
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # Set when a later material change asks this person to take the course again.
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "version"], name="one_completion_per_version"
            )
        ]
        indexes = [
            # Covering: the completion report counts a cycle's completions per person
            # without reading the table.
            models.Index(
                fields=["course", "completed_on"],
                include=["user", "superseded"],
                name="completion_course_day_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.course_id} · {self.completed_on}"


class Certificate(models.Model):
    """Proof of one completion; anyone holding the code can check it is genuine."""

    completion = models.OneToOneField(
        CourseCompletion, on_delete=models.CASCADE, related_name="certificate"
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code


class CourseReviewTaskState(TaskState):
    """One review of a course: the lesson revisions submitted with it, which are
    what approval publishes (see learning.review)."""

    lesson_revisions = models.ManyToManyField(
        "wagtailcore.Revision", related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("course review state")
        verbose_name_plural = _("course review states")


class CourseReviewTask(AbstractGroupApprovalTask):
    """Approval of a course together with its changed lessons and draft quizzes."""

    task_state_class = CourseReviewTaskState

    @transaction.atomic
    def start(self, workflow_state, user=None):
        from .review import course_submission_record

        task_state = super().start(workflow_state, user=user)
        course_submission_record(task_state=task_state, user=user)
        return task_state

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from .review import course_bundle_publish, course_lessons

        if action_name == "approve":
            course = task_state.workflow_state.content_object.specific
            if not course_lessons(course=course):
                # Publishing would show learners an empty course.
                return super().on_action(
                    task_state,
                    user,
                    "reject",
                    comment=str(
                        _("The course has no lessons; add lessons and submit again.")
                    ),
                )
            course_bundle_publish(course=course, user=user, task_state=task_state)
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve a course with its changed lessons "
            "and quizzes, all published together"
        )

    class Meta:
        verbose_name = _("course review")
        verbose_name_plural = _("course reviews")


class VideoWatch(models.Model):
    """What the server has seen of one learner playing one video of a lesson.

    The page reports playback in heartbeats; the server marks the segment of each
    accepted heartbeat as seen and accepts at most one new segment per segment of
    wall-clock time, so a client cannot claim a whole video at once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="video_watches"
    )
    # The video's address (file URL or intranet address) as the lesson shows it.
    source = models.CharField(max_length=500)
    duration = models.FloatField()
    seen = models.JSONField(default=list)
    last_beat_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "source"], name="one_watch_per_video"
            )
        ]
