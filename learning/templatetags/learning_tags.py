from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import translation
from wagtail.templatetags.wagtailcore_tags import pageurl

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


@register.simple_tag(takes_context=True)
def course_url(context, page):
    """``{% pageurl page %}`` for a course and its lessons: the address routing has
    worked out already (``learning.serving.RoutedUrls``), else Wagtail's."""
    request = context.get("request")
    routed = getattr(request, "_learning_urls", None)
    if routed is not None and not getattr(request, "is_preview", False):
        url = routed.get(page)
        if url is not None:
            return url
    return pageurl(context, page)
