"""The wording of reminders, rendered in whatever language is active."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, translation
from django.utils.translation import gettext as _


def format_day(day: dt.date | str | None) -> str:
    """2026年11月26日 in Chinese, the locale's date format otherwise."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if (translation.get_language() or "").startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return formats.date_format(day, "DATE_FORMAT")


def render(kind: str, params: dict) -> tuple[str, str]:
    """(subject, body) of a reminder or notification of ``kind``."""
    values = {
        "title": params.get("campaign_title", ""),
        "code": params.get("campaign_code", ""),
        "due": format_day(params.get("due_on")),
        "overdue": params.get("overdue", 0),
        "not_started": params.get("not_started", 0),
        "unit": params.get("unit_name", ""),
    }
    if kind == "due_7":
        return (
            _("Mandatory training due in 7 days: %(title)s") % values,
            _(
                "Please complete the mandatory training “%(title)s” by %(due)s. "
                "It is due in 7 days."
            )
            % values,
        )
    if kind == "due_1":
        return (
            _("Mandatory training due tomorrow: %(title)s") % values,
            _("The mandatory training “%(title)s” is due tomorrow (%(due)s).") % values,
        )
    if kind == "overdue":
        return (
            _("Mandatory training overdue: %(title)s") % values,
            _(
                "The mandatory training “%(title)s” was due on %(due)s and is not "
                "finished yet. Please complete it as soon as possible."
            )
            % values,
        )
    if kind == "digest":
        return (
            _("Weekly training digest: %(title)s") % values,
            _(
                "In %(unit)s, %(overdue)s people are overdue and %(not_started)s have "
                "not started “%(title)s”. The report lists them by name."
            )
            % values,
        )
    return (kind, "")
