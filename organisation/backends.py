from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from config.sql import Columns, fetch

from .models import StaffProfile

# The user ↔ profile one-to-one: its reverse side caches user.profile.
PROFILE = StaffProfile._meta.get_field("user").remote_field


@cache
def _signed_in_columns() -> tuple[Columns, Columns]:
    return Columns(get_user_model(), "u"), Columns(StaffProfile, "p")


class StaffNumberBackend(ModelBackend):
    """Sign in with the account name or the staff number; leavers cannot sign in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(username=username).select_related("profile").first()
        if user is None:
            user = (
                User.objects.filter(profile__staff_no=username)
                .select_related("profile")
                .first()
            )
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request, with the staff profile in the same query
        (every page reads it, and user_can_authenticate checks it).

        Plain SQL: it runs on every request, and compiling the equivalent
        ``select_related("profile")`` query cost four times the read itself.
        """
        user_columns, profile_columns = _signed_in_columns()
        try:
            key = user_columns.model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        rows = fetch(
            f"SELECT {user_columns.select()}, {profile_columns.select()} "
            f"FROM {user_columns.table} LEFT JOIN {profile_columns.table} "
            "ON p.user_id = u.id WHERE u.id = %s",
            [key],
            [user_columns, profile_columns],
        )
        if not rows:
            return None
        user, at = user_columns.split(rows[0], 0)
        profile, _at = profile_columns.split(rows[0], at)
        # As select_related would: user.profile is cached (or known to be missing).
        PROFILE.set_cached_value(user, profile)
        if profile is not None:
            PROFILE.field.set_cached_value(profile, user)
        if not self.user_can_authenticate(user):
            return None
        return user

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        return profile is None or profile.active
