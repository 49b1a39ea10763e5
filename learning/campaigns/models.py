"""Mandatory training campaigns: who must take which courses by when, and the reminders.

A campaign's audience is a rule over the roster (units with their subtrees, business
lines, positions, leaders only); ``CampaignMember`` rows record when each person
joined the audience so that a due date of "N days after joining" can be computed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.validators import validate_code


class Campaign(models.Model):
    class Recurrence(models.TextChoices):
        NONE = "none", _("Once")
        ANNUAL = "annual", _("Every year")

    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[validate_code]
    )
    title = models.CharField(_("title"), max_length=200)
    courses = models.ManyToManyField(
        "learning.CoursePage", verbose_name=_("courses"), related_name="campaigns"
    )
    # Audience rules. Empty means "no restriction"; rules of different kinds combine.
    units = models.ManyToManyField(
        "organisation.Unit",
        verbose_name=_("units (with their subtrees)"),
        blank=True,
        related_name="+",
    )
    business_lines = models.ManyToManyField(
        "organisation.BusinessLine",
        verbose_name=_("business lines"),
        blank=True,
        related_name="+",
    )
    positions = models.JSONField(_("positions"), default=list, blank=True)
    leaders_only = models.BooleanField(_("leading cadres only"), default=False)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(
        _("due days after joining"),
        null=True,
        blank=True,
        help_text=_("Used instead of a fixed due date."),
    )
    recurrence = models.CharField(
        _("recurrence"),
        max_length=10,
        choices=Recurrence.choices,
        default=Recurrence.NONE,
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__isnull=False)
                | models.Q(due_days__isnull=False),
                name="campaign_has_due_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CampaignMember(models.Model):
    """A person who is (or was) in a campaign's audience, and since when."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="members"
    )
    staff = models.ForeignKey(
        "organisation.StaffProfile",
        on_delete=models.CASCADE,
        related_name="campaign_memberships",
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "staff"], name="one_membership_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.staff_id}"


class Exemption(models.Model):
    """A person excused from a campaign (long sick leave, secondment …) until expiry."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="exemptions"
    )
    staff = models.ForeignKey(
        "organisation.StaffProfile",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="campaign_exemptions",
    )
    reason = models.CharField(_("reason"), max_length=200)
    approver = models.CharField(_("approved by"), max_length=60)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "staff"]
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "staff"], name="one_exemption_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.staff_id} · {self.reason}"


class Notification(models.Model):
    """An in-app message. Its text is rendered from ``kind`` and ``params`` when shown,
    so that it reads in the language the recipient is using at that moment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}"


class Reminder(models.Model):
    """The log of every reminder: one row per (person, campaign, kind, period).

    The unique key is what makes a schedule that fires twice send nothing twice.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_7", _("Due in 7 days")
        DUE_TOMORROW = "due_1", _("Due tomorrow")
        OVERDUE = "overdue", _("Overdue")
        DIGEST = "digest", _("Weekly digest for unit leaders")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.CharField(max_length=20)
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL
    )
    emailed = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "campaign", "kind", "period"],
                name="one_reminder_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.campaign_id} · {self.kind} · {self.period}"
