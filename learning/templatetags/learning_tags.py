from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import translation

register = template.Library()


@register.filter
def local_date(value):
    """2026年11月26日 in the Chinese UI, 26 November 2026 in English."""
    if not value:
        return ""
    if translation.get_language() == "zh-hans":
        return date_filter(value, "Y年n月j日")
    return date_filter(value, "j F Y")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
