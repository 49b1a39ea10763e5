"""The person's page in the admin: who they are, their account, roles and learning.

Other apps add panels (campaigns, class hours, certificates…) through
:func:`register_person_panel`, so that the organisation never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import Http404
from wagtail.snippets.views.snippets import InspectView

from .models import RoleAssignment, StaffProfile
from .selectors import staff_visible_to, unit_path_labels


@dataclass(frozen=True)
class PersonPanel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


PanelFn = Callable[[StaffProfile], PersonPanel | None]
PERSON_PANELS: list[PanelFn] = []


def register_person_panel(fn: PanelFn) -> None:
    """Add a panel to every person's admin page (call from AppConfig.ready)."""
    if fn not in PERSON_PANELS:
        PERSON_PANELS.append(fn)


class PersonInspectView(InspectView):
    template_name = "organisation/admin/person_inspect.html"

    def get_object(self, queryset=None):
        # Only people the administrator may see, leavers included.
        profile = (
            staff_visible_to(self.request.user, include_inactive=True)
            .filter(pk=self.pk)
            .first()
        )
        if profile is None:
            raise Http404
        return profile

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = self.object
        grants = list(
            RoleAssignment.objects.filter(user_id=profile.user_id).select_related(
                "unit"
            )
        )
        from .admin_lists import period_text, scope_text
        from .selectors import unit_subunit_counts

        counts = unit_subunit_counts([g.unit for g in grants if g.unit_id])
        context.update(
            profile=profile,
            account=profile.user,
            unit_path=unit_path_labels([profile.unit]).get(profile.unit_id, ""),
            grants=[
                {
                    "role": g.get_role_display(),
                    "scope": scope_text(g, counts.get(g.unit_id)),
                    "period": period_text(g),
                }
                for g in grants
            ],
            panels=[
                panel
                for panel in (fn(profile) for fn in PERSON_PANELS)
                if panel is not None
            ],
        )
        return context
