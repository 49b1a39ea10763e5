"""The 学时 ledger: requirements as data, credited hours, centralised classes.

A requirement row is in force from its ``valid_from`` until a newer row for the same
(kind, rank category, trigger) takes over, so changing a rule never rewrites what an
earlier year was judged against. The ledger holds one row per credited item; the
report only sums it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisation.validators import validate_code

DEFAULT_DAY_RATE = Decimal("7.5")


class Kind(models.TextChoices):
    ONLINE = "online", pgettext_lazy("training kind", "Online self-study")
    CENTRALISED = "centralised", pgettext_lazy("training kind", "Centralised training")


class Requirement(models.Model):
    """One rule of the plan: so many hours of one kind per window, or after an event."""

    class RankCategory(models.TextChoices):
        ALL = "", _("Everyone")
        GENERAL = "general", _("Township level and below")
        LEADING = "leading", _("County level and above")

    class Trigger(models.TextChoices):
        PERIODIC = "", _("Every year (periodic)")
        SENIOR_PROSECUTOR = "senior_prosecutor", _("Promotion to senior prosecutor")
        CHIEF = "chief", _("New chief or deputy chief procurator")

    kind = models.CharField(
        pgettext_lazy("hours", "kind"), max_length=12, choices=Kind.choices
    )
    rank_category = models.CharField(
        _("rank category"),
        max_length=10,
        choices=RankCategory.choices,
        blank=True,
        default="",
    )
    trigger = models.CharField(
        pgettext_lazy("hours", "applies"),
        max_length=20,
        choices=Trigger.choices,
        blank=True,
        default="",
    )
    hours = models.DecimalField(
        pgettext_lazy("hours", "hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    days = models.DecimalField(
        pgettext_lazy("hours", "days"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Either the hours or the days suffice when both are set."),
    )
    window_years = models.PositiveSmallIntegerField(
        _("window (years)"),
        default=1,
        help_text=_("Periodic rules: the years ending with the report year."),
    )
    within_months = models.PositiveSmallIntegerField(
        _("within months of the event"), default=12
    )
    day_rate = models.DecimalField(
        _("hours per day"), max_digits=4, decimal_places=2, default=DEFAULT_DAY_RATE
    )
    valid_from = models.DateField(_("in force from"))
    active = models.BooleanField(
        pgettext_lazy("hours", "in force"),
        default=True,
        help_text=_("Untick in a newer row to retire the rule from its date."),
    )
    basis = models.CharField(
        pgettext_lazy("hours", "basis"), max_length=200, blank=True
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["trigger", "kind", "rank_category", "-valid_from"]
        verbose_name = _("hours requirement")
        verbose_name_plural = _("hours requirements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__isnull=False) | models.Q(days__isnull=False),
                name="requirement_hours_or_days",
            ),
            models.UniqueConstraint(
                fields=["kind", "rank_category", "trigger", "valid_from"],
                name="one_requirement_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_rank_category_display()}"

    @property
    def required_hours(self) -> Decimal:
        """The hours that satisfy the rule: the smaller of its hours and its days."""
        options = [self.hours] if self.hours is not None else []
        if self.days is not None:
            options.append(self.days * self.day_rate)
        return min(options)


class PostChange(models.Model):
    """A dated promotion or appointment that starts an event requirement."""

    staff = models.ForeignKey(
        "organisation.StaffProfile",
        verbose_name=pgettext_lazy("hours", "staff member"),
        on_delete=models.CASCADE,
        related_name="post_changes",
    )
    trigger = models.CharField(
        pgettext_lazy("hours", "change"),
        max_length=20,
        choices=[
            c
            for c in Requirement.Trigger.choices
            if c[0] != Requirement.Trigger.PERIODIC
        ],
    )
    on = models.DateField(pgettext_lazy("hours", "date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-on"]
        verbose_name = _("promotion or appointment")
        verbose_name_plural = _("promotions and appointments")

    def __str__(self) -> str:
        return f"{self.staff} · {self.get_trigger_display()} · {self.on}"


class HoursExemption(models.Model):
    """A person excused from hours requirements for a period (sick leave, secondment)."""

    staff = models.ForeignKey(
        "organisation.StaffProfile",
        verbose_name=pgettext_lazy("hours", "staff member"),
        on_delete=models.CASCADE,
        related_name="hours_exemptions",
    )
    kind = models.CharField(
        pgettext_lazy("hours", "kind"),
        max_length=12,
        choices=Kind.choices,
        blank=True,
        help_text=_("Empty: every requirement."),
    )
    starts_on = models.DateField(pgettext_lazy("hours", "from"))
    ends_on = models.DateField(pgettext_lazy("hours", "until"))
    reason = models.CharField(pgettext_lazy("hours", "reason"), max_length=200)

    class Meta:
        ordering = ["staff", "-starts_on"]
        verbose_name = _("hours exemption")
        verbose_name_plural = _("hours exemptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="exemption_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.starts_on}–{self.ends_on}"


class CentralisedClass(models.Model):
    """A centralised training class (集中培训班) with its sessions."""

    code = models.CharField(
        _("class code"), max_length=40, unique=True, validators=[validate_code]
    )
    title = models.CharField(pgettext_lazy("hours", "title"), max_length=200)
    organiser = models.ForeignKey(
        "organisation.Unit",
        verbose_name=pgettext_lazy("hours", "organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(pgettext_lazy("hours", "starts on"))
    ends_on = models.DateField(pgettext_lazy("hours", "ends on"))
    hours_per_day = models.DecimalField(
        _("hours per day"), max_digits=4, decimal_places=1, default=DEFAULT_DAY_RATE
    )
    # Enrolment by rule: everyone in these units' subtrees (of this rank category).
    rule_units = models.ManyToManyField(
        "organisation.Unit",
        verbose_name=_("enrol everyone in these units"),
        blank=True,
        related_name="+",
    )
    rule_rank_category = models.CharField(
        _("of rank category"),
        max_length=10,
        choices=Requirement.RankCategory.choices,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("centralised class")
        verbose_name_plural = _("centralised classes")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ClassSession(models.Model):
    klass = models.ForeignKey(
        CentralisedClass,
        verbose_name=pgettext_lazy("hours", "class"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    on = models.DateField(pgettext_lazy("hours", "date"))
    title = models.CharField(
        pgettext_lazy("hours", "title"), max_length=200, blank=True
    )
    hours = models.DecimalField(
        pgettext_lazy("hours", "hours"), max_digits=4, decimal_places=1
    )

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")

    def __str__(self) -> str:
        return f"{self.klass.code} · {self.on} {self.title}".strip()


class Enrolment(models.Model):
    klass = models.ForeignKey(
        CentralisedClass, on_delete=models.CASCADE, related_name="enrolments"
    )
    staff = models.ForeignKey(
        "organisation.StaffProfile",
        verbose_name=pgettext_lazy("hours", "staff member"),
        on_delete=models.CASCADE,
        related_name="class_enrolments",
    )

    class Meta:
        verbose_name = _("class enrolment")
        verbose_name_plural = _("class enrolments")
        constraints = [
            models.UniqueConstraint(fields=["klass", "staff"], name="one_enrolment")
        ]


class Attendance(models.Model):
    class Via(models.TextChoices):
        CODE = "code", _("Sign-in code")
        SHEET = "sheet", _("Paper sign-in sheet")

    session = models.ForeignKey(
        ClassSession, on_delete=models.CASCADE, related_name="attendance"
    )
    staff = models.ForeignKey(
        "organisation.StaffProfile",
        on_delete=models.CASCADE,
        related_name="class_attendance",
    )
    hours = models.DecimalField(
        pgettext_lazy("hours", "hours"), max_digits=4, decimal_places=1
    )
    via = models.CharField(max_length=8, choices=Via.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "staff"], name="one_attendance_per_session"
            )
        ]


class SignInCode(models.Model):
    """A short code the organiser shows (as text and QR) for a limited time."""

    session = models.ForeignKey(
        ClassSession, on_delete=models.CASCADE, related_name="codes"
    )
    code = models.CharField(max_length=12, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class LedgerEntry(models.Model):
    """One credited item. Rows from completions and attendance are kept in step with
    their source by the services; manual rows carry who added them and why."""

    class Source(models.TextChoices):
        COURSE = "course", _("Course completed on the platform")
        IMPORTED = "imported", _("Imported completion")
        CLASS = "class", _("Centralised class")
        MANUAL = "manual", _("Manual entry")

    staff = models.ForeignKey(
        "organisation.StaffProfile",
        verbose_name=pgettext_lazy("hours", "staff member"),
        on_delete=models.CASCADE,
        related_name="hours_entries",
    )
    on = models.DateField(pgettext_lazy("hours", "date"))
    hours = models.DecimalField(
        pgettext_lazy("hours", "hours"), max_digits=6, decimal_places=1
    )
    kind = models.CharField(
        pgettext_lazy("hours", "kind"), max_length=12, choices=Kind.choices
    )
    source = models.CharField(
        pgettext_lazy("hours", "source"),
        max_length=10,
        choices=Source.choices,
        default=Source.MANUAL,
    )
    title = models.CharField(pgettext_lazy("hours", "item"), max_length=200)
    completion = models.OneToOneField(
        "learning.CourseCompletion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="hours_entry",
    )
    attendance = models.OneToOneField(
        Attendance,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="hours_entry",
    )
    reason = models.CharField(
        pgettext_lazy("hours", "reason"), max_length=300, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours ledger")
        indexes = [
            # The report sums a window of every person's hours from the index alone.
            models.Index(
                fields=["on", "staff"],
                include=["kind", "hours"],
                name="ledger_day_staff_cover",
            ),
            models.Index(fields=["staff", "on"], name="ledger_staff_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=0), name="ledger_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(source="manual") | ~models.Q(reason=""),
                name="manual_entry_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.on} · {self.hours}"
