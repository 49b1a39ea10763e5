from functools import cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from . import permissions

# The addresses every page's header links to, by the name the templates use.
SHELL_URLS = {
    "learning": "learning:dashboard",
    "quizzes": "assessments:index",
    "practice": "practice:today",
    "reports": "reports:index",
    "insights": "insights:index",
    "admin": "wagtailadmin_home",
    "login": "login",
    "logout": "logout",
    "set_language": "set_language",
    "notifications": "campaigns:notifications",
}


@cache
def _shell_urls(urlconf: str | None, prefix: str) -> dict[str, str | None]:
    """Reversed once per URLconf and script prefix: they depend on nothing else,
    and reversing ten names cost every page about 0.2 ms."""
    found: dict[str, str | None] = {}
    for key, name in SHELL_URLS.items():
        try:
            found[key] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            found[key] = None
    return found


def navigation(request):
    """Which sections of the navigation this user gets (学习 / 考试 / 报表 / 管理),
    and the header's addresses (``shell_urls``)."""
    urls = _shell_urls(get_urlconf(), get_script_prefix())
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "shell_urls": urls}
    return {
        "nav": {
            "reports": permissions.can_view_reports(user),
            "insights": permissions.can_view_reports(user),
            "admin": permissions.can_use_admin(user),
        },
        "shell_urls": urls,
    }
