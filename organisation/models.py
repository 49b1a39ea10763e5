from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.storage import import_upload_to, private_storage

from .validators import validate_code


class BusinessLine(models.Model):
    """One of the ten business lines (十大业务), reference data shipped with the platform."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent_group = models.CharField(_("branch"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("business line")
        verbose_name_plural = _("business lines")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A procuratorate or one of its departments.

    ``path`` is the chain of unit codes from the root, each followed by ``/``
    (``GD/GZ/GZ-TH/``), so that a subtree is one indexed prefix lookup. It is kept
    by ``organisation.services.unit_upsert``.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provincial procuratorate")
        CITY = "city", _("City procuratorate")
        GRASSROOTS = "grassroots", _("Grassroots procuratorate")
        DEPARTMENT = "department", _("Department")

    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[validate_code]
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    business_line = models.ForeignKey(
        BusinessLine,
        verbose_name=_("business line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    path = models.CharField(max_length=800, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """A person on the roster. The roster, not the sign-in log, is the denominator."""

    class RankCategory(models.TextChoices):
        # 职级类别: who may attend which centralised classes.
        GENERAL = "general", _("Township level and below")
        LEADING = "leading", _("County level and above")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    staff_no = models.CharField(_("staff number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff"
    )
    position = models.CharField(_("position"), max_length=60)
    business_lines = models.ManyToManyField(
        BusinessLine, verbose_name=_("business lines"), blank=True
    )
    is_leader = models.BooleanField(
        _("leading cadre"),
        default=False,
        help_text=_("The 'critical minority' (关键少数)."),
    )
    email = models.EmailField(_("email"), blank=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)
    rank_category = models.CharField(
        _("rank category"), max_length=10, choices=RankCategory.choices, blank=True
    )
    # When the rank category last changed (set by the roster import when the column
    # changes it; editable in the admin): a leader's record reads from here.
    rank_changed_on = models.DateField(_("rank category since"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["staff_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        indexes = [models.Index(fields=["unit", "active"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"


class LanguagePreference(models.Model):
    """The language a person reads reminders in (set when they switch language).

    Kept apart from StaffProfile because every account has one, on the roster or not.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=10)


class RoleAssignmentQuerySet(models.QuerySet):
    def in_force(self, on=None) -> "RoleAssignmentQuerySet":
        """Grants valid on ``on`` (default today): both ends of the period included."""
        on = on or timezone.localdate()
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on),
        )


class RoleAssignment(models.Model):
    """What a user may do beyond learning, and over which units.

    A unit leader's or trainer's ``unit`` covers that unit's whole subtree.
    Leadership and administrators are province-wide and have no unit. A grant with
    ``valid_from``/``valid_to`` grants nothing outside that period (both days
    included): every role check reads ``RoleAssignment.objects.in_force()``.
    """

    class Role(models.TextChoices):
        TRAINER = "trainer", _("Trainer")
        TRAINING_HEAD = "training_head", _("Head of the training office")
        UNIT_LEADER = "unit_leader", _("Unit leader")
        LEADERSHIP = "leadership", _("Leadership")
        ADMINISTRATOR = "administrator", _("Administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day of the grant; empty for no end."),
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="unique_role_per_unit"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="unit_leader") | models.Q(unit__isnull=False),
                name="unit_leader_has_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="role_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    @property
    def person(self) -> str:
        """The holder as 姓名（工号）, or the account name for an account off the roster."""
        profile = getattr(self.user, "profile", None)
        if profile is None:
            return self.user.get_username()
        return f"{profile.name}（{profile.staff_no}）"

    person.fget.short_description = _("person")


class ImportJob(models.Model):
    """An import started from the admin; a Celery task runs it and records progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Refused")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    # Private storage under a random name; ``filename`` is the name it was uploaded as.
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=import_upload_to, blank=True
    )
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the job failed, in words for the administrator (never a traceback).
    failure = models.TextField(_("reason for failure"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the task was last sent, and how many times the stale sweep sent it again.
    queued_at = models.DateTimeField(default=timezone.now)
    requeue_count = models.PositiveSmallIntegerField(default=0)
    # Set when the retention sweep deleted the uploaded file.
    file_expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class ImportAudit(models.Model):
    """One applied import: who, when, which file, what it changed. Kept for good."""

    kind = models.CharField(_("kind"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name as it was, so the record still says who after an account is removed.
    user_name = models.CharField(_("by"), max_length=150)
    via = models.CharField(_("started from"), max_length=20)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    summary = models.JSONField(_("summary"), default=dict)
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import record")
        verbose_name_plural = _("import records")

    def __str__(self) -> str:
        return f"{self.kind} · {self.file_name}"


class Indicator(models.Model):
    """One case-quality evaluation indicator (案件质量主要评价指标) of the catalogue.

    Reference data like the business lines, kept here so that courses and questions
    can name the indicators they target without depending on the analytics app.
    """

    class Direction(models.TextChoices):
        HIGHER_BETTER = "higher_better", _("Higher is better")
        LOWER_BETTER = "lower_better", _("Lower is better")
        RANGE = "range", _("Within a target band")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    business_line = models.ForeignKey(
        BusinessLine,
        verbose_name=_("business line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    business_line_group = models.CharField(
        _("business line (as written)"),
        max_length=40,
        blank=True,
        help_text=_("For indicators that span a branch, such as 刑事检察."),
    )
    formula = models.TextField(_("formula"), blank=True)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices
    )
    target_low = models.DecimalField(
        _("target low"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    target_high = models.DecimalField(
        _("target high"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    provenance = models.TextField(_("source"), blank=True)
    gaming_caution = models.TextField(
        _("caution against gaming"),
        blank=True,
        help_text=_(
            "Shown wherever training can be started from this indicator: how chasing "
            "the number can harm case handling. Empty for indicators without such a "
            "risk."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name
