from django import template
from django.utils import formats, translation

register = template.Library()


@register.filter
def cn_date(value, with_time: bool = False):
    """2026年11月26日 in the Chinese UI, the locale's format otherwise."""
    if not value:
        return ""
    from django.utils import timezone

    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    if translation.get_language() == "zh-hans":
        text = f"{value.year}年{value.month}月{value.day}日"
        if with_time and hasattr(value, "hour"):
            text += f" {value.hour:02d}:{value.minute:02d}"
        return text
    fmt = "DATETIME_FORMAT" if with_time and hasattr(value, "hour") else "DATE_FORMAT"
    return formats.date_format(value, fmt)


@register.filter
def cn_datetime(value):
    return cn_date(value, True)


@register.filter
def rich(value, text_format="plain"):
    """A question's text, option, feedback or explanation as safe HTML."""
    from ..richtext import render

    return render(value or "", text_format or "plain")


@register.filter
def rich_as_text(value, text_format="plain"):
    """The same text without markup, for short labels."""
    from ..richtext import as_text

    return as_text(value or "", text_format or "plain")
