from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class CourseIndexPage(Page):
    """The course catalogue."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["learning.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")


class CoursePage(Page):
    """A course. Learner state (progress, completions) lives in plain models, never here."""

    code = models.CharField(_("course code"), max_length=40, unique=True)
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

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("code"),
                FieldPanel("summary"),
                FieldPanel("class_hours"),
                FieldPanel("mandatory"),
            ],
            heading=_("Course"),
        ),
        FieldPanel("business_lines"),
        FieldPanel("indicators"),
    ]
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


class LessonPage(Page):
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", icon="title")),
            ("paragraph", blocks.RichTextBlock(icon="pilcrow")),
        ],
        blank=True,
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=15
    )
    required = models.BooleanField(_("required"), default=True)

    content_panels = Page.content_panels + [
        FieldPanel("body"),
        FieldPanel("estimated_minutes"),
        FieldPanel("required"),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["learning.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")


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
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="unique_lesson_progress"
            )
        ]
        indexes = [models.Index(fields=["course", "user"])]


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
    # Set when a later material change asks this person to take the course again.
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "version"], name="one_completion_per_version"
            )
        ]
        indexes = [models.Index(fields=["course", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.course_id} · {self.completed_on}"
