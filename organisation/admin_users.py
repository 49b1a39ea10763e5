"""The admin's users list, with the staff profile each account belongs to beside it.

Accounts and roster rows are linked one to one; an account without a staff profile
(a superuser, a service account) says so rather than leaving a blank.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.views import users

from .selectors import unit_path_labels


def _profile_of(user):
    return getattr(user, "profile", None)


class UserIndexView(users.IndexView):
    @cached_property
    def columns(self):
        columns = list(super().columns)
        staff = [
            Column(
                "staff_no",
                label=_("Staff number"),
                accessor=lambda u: (
                    u.profile.staff_no if _profile_of(u) else _("No staff profile")
                ),
                sort_key="profile__staff_no",
            ),
            Column(
                "staff_unit",
                label=_("Unit"),
                accessor=lambda u: getattr(u, "path_label", ""),
            ),
        ]
        # Right after the account name, so the two read side by side.
        return columns[:3] + staff + columns[3:]

    @cached_property
    def search_fields(self):
        return {*super().search_fields, "profile__staff_no", "profile__name"}

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("profile__unit")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, other = super().paginate_queryset(queryset, page_size)
        rows = list(rows)
        labels = unit_path_labels([u.profile.unit for u in rows if _profile_of(u)])
        for user in rows:
            profile = _profile_of(user)
            user.path_label = labels.get(profile.unit_id, "") if profile else ""
        page.object_list = rows
        return paginator, page, rows, other


class UserViewSet(users.UserViewSet):
    index_view_class = UserIndexView
