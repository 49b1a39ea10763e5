"""Who may read the insights pages and act on a gap (delegates to organisation roles)."""

from organisation import permissions as roles


def can_view_insights(user) -> bool:
    """Leadership (whole province) and unit leaders (their own units)."""
    return roles.can_view_reports(user)


def can_create_gap_campaign(user) -> bool:
    """Only leadership starts a campaign from a gap."""
    return roles.can_manage_campaigns(user)
