from . import permissions


def navigation(request):
    """Which sections of the navigation this user gets (学习 / 考试 / 报表 / 管理)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "reports": permissions.can_view_reports(user),
            "insights": permissions.can_view_reports(user),
            "admin": permissions.can_use_admin(user),
        }
    }
