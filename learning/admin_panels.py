"""What the admin's person page shows of someone's learning.

Campaigns and their status, this year's class hours (学时) and certificates, read
through the same selectors as the learner's own dashboard, so the administrator
sees what the learner sees.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from organisation.admin_people import PersonPanel
from organisation.models import StaffProfile

from .selectors import dashboard


def person_learning_panel(profile: StaffProfile) -> PersonPanel:
    board = dashboard(user=profile.user)
    campaigns: dict[str, dict] = {}
    for item in board.assignments:
        entry = campaigns.setdefault(
            item["campaign_code"],
            {
                "code": item["campaign_code"],
                "title": item["campaign_title"],
                "due_on": item["due_on"],
                "courses": [],
            },
        )
        entry["courses"].append(item)
    certificates = [
        c for c in board.completions if getattr(c, "certificate", None) is not None
    ]
    return PersonPanel(
        title=_("Learning"),
        template="learning/admin/person_learning.html",
        context={
            "campaigns": list(campaigns.values()),
            "hours": board.hours_this_year,
            "hours_required": board.hours_required,
            "completions": board.completions[:20],
            "certificates": certificates,
        },
    )
