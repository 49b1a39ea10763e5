"""Indicator editions, indicator values per unit and period, and stored analysis snapshots.

The indicator catalogue itself (``organisation.Indicator``) lives in organisation so
that courses and questions can name indicators without depending on this app.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import period_parse


class IndicatorEdition(models.Model):
    """One published list of indicators (e.g. the 2021, 2023 or 2024 revision).

    A period is read against the edition in force in its year; when no edition covers a
    year, every active indicator of the catalogue applies.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.PositiveSmallIntegerField(_("first year"))
    valid_to = models.PositiveSmallIntegerField(
        _("last year"), null=True, blank=True, help_text=_("Empty: still in force.")
    )
    indicators = models.ManyToManyField(
        "organisation.Indicator",
        verbose_name=_("indicators"),
        related_name="editions",
        blank=True,
    )

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("indicator edition")
        verbose_name_plural = _("indicator editions")

    def __str__(self) -> str:
        return self.name

    def covers(self, year: int) -> bool:
        return self.valid_from <= year and (
            self.valid_to is None or year <= self.valid_to
        )


class IndicatorValue(models.Model):
    """A unit's value of one indicator for one period (a year, half, quarter or month).

    Rates are stored as fractions (0.35 for 35%); ratios such as 案-件比 as the number
    after the colon (1.31 for 1:1.31).
    """

    class Kind(models.TextChoices):
        YEAR = "year", _("Year")
        HALF = "half", _("Half year")
        QUARTER = "quarter", _("Quarter")
        MONTH = "month", _("Month")

    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="indicator_values",
    )
    indicator = models.ForeignKey(
        "organisation.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    period = models.CharField(_("period"), max_length=10)
    kind = models.CharField(
        _("period kind"), max_length=10, choices=Kind.choices, editable=False
    )
    period_start = models.DateField(_("period start"), editable=False)
    period_end = models.DateField(_("period end"), editable=False)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=6)
    numerator = models.DecimalField(
        _("numerator"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period_start", "unit", "indicator"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "period"], name="one_value_per_period"
            )
        ]
        indexes = [models.Index(fields=["period", "indicator"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator} · {self.period}"

    def clean(self) -> None:
        """Derive the kind and dates from the period text (edits in the admin)."""
        from django.core.exceptions import ValidationError

        try:
            period = period_parse(self.period or "")
        except ValueError:
            raise ValidationError(
                {"period": _("Use a period such as 2025, 2025H1, 2025Q3 or 2025-07.")}
            )
        self.period = period.text
        self.kind, self.period_start, self.period_end = (
            period.kind,
            period.start,
            period.end,
        )


class GapSnapshot(models.Model):
    """The stored result of the gap analysis for one period; pages read only these.

    ``payload`` holds the province-wide parts (correlations, difference-in-differences,
    indicator and course names, the method); the per-(unit, indicator) results are rows
    of :class:`GapCell`, so that a national run stores them with one bulk write and a
    reader's scope is applied in the query, before anything is loaded.
    """

    period = models.CharField(_("period"), max_length=10, unique=True)
    period_end = models.DateField(_("period end"))
    computed_at = models.DateTimeField(_("computed at"))
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-period_end", "period"]
        verbose_name = _("gap analysis snapshot")
        verbose_name_plural = _("gap analysis snapshots")

    def __str__(self) -> str:
        return self.period


class GapCell(models.Model):
    """One (unit, indicator) result of a snapshot, as a row.

    ``rank`` is the storage order of the rows (needs first, highest priority first); it
    is never shown. ``history`` holds
    the unit's values of the indicator up to the snapshot's period, oldest first, as
    ``[period, value, standing, tier]``. A unit and indicator with values in earlier
    periods only is stored with ``in_period`` false: it has a history but no gap.
    """

    snapshot = models.ForeignKey(
        GapSnapshot, on_delete=models.CASCADE, related_name="cells"
    )
    rank = models.PositiveIntegerField()
    in_period = models.BooleanField(default=True)
    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.CASCADE, related_name="+"
    )
    indicator_code = models.CharField(max_length=60)  # as organisation.Indicator
    level = models.CharField(max_length=20, blank=True)
    value = models.FloatField(null=True)
    province_avg = models.FloatField(null=True)
    gap = models.FloatField(null=True)
    standing = models.FloatField(null=True)
    tier = models.CharField(max_length=10, blank=True)
    # above / near / below the same-level average (within / near_target / outside the
    # target band for range indicators) and the direction-adjusted gap in bands.
    band = models.CharField(max_length=12, blank=True)
    gap_bands = models.FloatField(null=True)
    mastery = models.FloatField(null=True)
    people = models.PositiveIntegerField(default=0)
    completion_rate = models.FloatField(null=True)
    headcount = models.PositiveIntegerField(null=True)
    # The parts of the priority (see insights.analytics.PRIORITY_FORMULA).
    severity = models.FloatField(null=True)
    shortfall = models.FloatField(null=True)
    evidence = models.FloatField(null=True)
    priority = models.FloatField(null=True)
    remedy = models.CharField(max_length=20, blank=True)
    recommended_courses = models.JSONField(default=list)
    staff_to_remediate = models.JSONField(default=list)
    history = models.JSONField(default=list)

    class Meta:
        ordering = ["snapshot", "rank"]
        verbose_name = _("gap analysis result")
        verbose_name_plural = _("gap analysis results")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "unit", "indicator_code"],
                name="one_cell_per_unit_indicator",
            )
        ]
        indexes = [models.Index(fields=["snapshot", "in_period", "rank"])]

    def __str__(self) -> str:
        return f"{self.snapshot_id} · {self.unit_id} · {self.indicator_code}"


class AnalysisRun(models.Model):
    """One recomputation of the snapshots, so that pages can show work in progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    periods = models.JSONField(default=list, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"
