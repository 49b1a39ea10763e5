"""The wording of reminders, rendered in whatever language is active."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def format_day(day: dt.date | str | None) -> str:
    """2026年11月26日 in Chinese, the locale's date format otherwise."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if (translation.get_language() or "").startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return formats.date_format(day, "DATE_FORMAT")


def days_left(due_on: dt.date | str | None, today: dt.date) -> int | None:
    if due_on is None:
        return None
    if isinstance(due_on, str):
        due_on = dt.date.fromisoformat(due_on)
    return (due_on - today).days


def _due_soon(values: dict) -> tuple[str, str]:
    """The reminder before the due date, with the days left when it was sent."""
    days = values["days"]
    if days is None or days <= 0:
        return (
            _("Mandatory training due today: %(title)s") % values,
            _("The mandatory training “%(title)s” is due today (%(due)s).") % values,
        )
    if days == 1:
        return (
            _("Mandatory training due tomorrow: %(title)s") % values,
            _("The mandatory training “%(title)s” is due tomorrow (%(due)s).") % values,
        )
    return (
        ngettext(
            "Mandatory training due in %(days)s day: %(title)s",
            "Mandatory training due in %(days)s days: %(title)s",
            days,
        )
        % values,
        ngettext(
            "Please complete the mandatory training “%(title)s” by %(due)s. "
            "It is due in %(days)s day.",
            "Please complete the mandatory training “%(title)s” by %(due)s. "
            "It is due in %(days)s days.",
            days,
        )
        % values,
    )


def render(kind: str, params: dict) -> tuple[str, str]:
    """(subject, body) of a reminder or notification of ``kind``.

    The days left come from ``params["days_left"]``, counted when the reminder was
    sent; reminders stored before it was kept say the days their kind was planned for.
    """
    values = {
        "title": params.get("campaign_title", ""),
        "code": params.get("campaign_code", ""),
        "due": format_day(params.get("due_on")),
        "overdue": params.get("overdue", 0),
        "not_started": params.get("not_started", 0),
        "unit": params.get("unit_name", ""),
        "days": params.get("days_left", {"due_7": 7, "due_1": 1}.get(kind)),
    }
    if kind in ("due_7", "due_1"):
        return _due_soon(values)
    if kind == "overdue":
        return (
            _("Mandatory training overdue: %(title)s") % values,
            _(
                "The mandatory training “%(title)s” was due on %(due)s and is not "
                "finished yet. Please complete it as soon as possible."
            )
            % values,
        )
    if kind == "marked":
        values = {
            "title": params.get("quiz_title", ""),
            "percent": params.get("score_percent", ""),
        }
        return (
            _("Your answers have been marked: %(title)s") % values,
            (
                _("“%(title)s” has been marked: %(percent)s%%, passed.")
                if params.get("passed")
                else _("“%(title)s” has been marked: %(percent)s%%, not passed.")
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
