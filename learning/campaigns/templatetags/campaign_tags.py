from django import template

from ..messages import format_day, render
from ..selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """The bell's count: one COUNT query, and none for anonymous visitors."""
    return unread_count(user)


@register.filter
def day(value) -> str:
    """2026年11月26日 in Chinese, the locale's format in English."""
    return format_day(value)


@register.filter
def notification_text(notification) -> tuple[str, str]:
    return render(notification.kind, notification.params)


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
