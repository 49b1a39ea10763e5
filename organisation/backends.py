from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from config.sql import Columns, Expressions, fetch

from .models import StaffProfile
from .sql import joined_text

# The user ↔ profile one-to-one: its reverse side caches user.profile.
PROFILE = StaffProfile._meta.get_field("user").remote_field


@cache
def _signed_in_columns() -> tuple[Columns, Columns]:
    return Columns(get_user_model(), "u"), Columns(StaffProfile, "p")


def _permission_names(source: str, *, permission_column: str, user_column: str) -> str:
    """A subquery on the user ``u``: the names ("app_label.codename", space-separated)
    of the permissions that ``source`` links to the user, as ModelBackend names them."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    quote = connection.ops.quote_name
    names = joined_text(
        f"ct.{quote('app_label')} || '.' || pm.{quote('codename')}", " "
    )
    return (
        f"(SELECT {names} "
        f"FROM {source} JOIN {quote(Permission._meta.db_table)} pm "
        f"ON pm.{quote('id')} = {permission_column} "
        f"JOIN {quote(ContentType._meta.db_table)} ct "
        f"ON ct.{quote('id')} = pm.{quote('content_type_id')} "
        f"WHERE {user_column} = u.{quote('id')})"
    )


@cache
def _permission_expressions(vendor: str) -> Expressions:
    """The signed-in user's own permissions and those of their groups, read with the
    user: every page's navigation asks ``has_perm``, which would otherwise cost
    ModelBackend two queries per request."""
    quote = connection.ops.quote_name
    User = get_user_model()
    direct = User._meta.get_field("user_permissions")
    groups = User._meta.get_field("groups")
    group_permissions = groups.related_model._meta.get_field("permissions")
    own = _permission_names(
        f"{quote(direct.remote_field.through._meta.db_table)} link",
        permission_column=f"link.{quote(direct.m2m_reverse_name())}",
        user_column=f"link.{quote(direct.m2m_column_name())}",
    )
    via_groups = _permission_names(
        f"{quote(groups.remote_field.through._meta.db_table)} ug "
        f"JOIN {quote(group_permissions.remote_field.through._meta.db_table)} link "
        f"ON link.{quote(group_permissions.m2m_column_name())} "
        f"= ug.{quote(groups.m2m_reverse_name())}",
        permission_column=f"link.{quote(group_permissions.m2m_reverse_name())}",
        user_column=f"ug.{quote(groups.m2m_column_name())}",
    )
    return Expressions(own, via_groups)


# Separators of the roles read with the user: neither can occur in a role or a path.
_FIELD, _ROW = "\x1f", "\x1e"


@cache
def _roles_expression(vendor: str) -> str:
    """A subquery on the user ``u``: the user's grants in force on the date given
    twice as parameters, as ``role<US>unit path`` joined by ``<RS>`` (what
    ``permissions._roles`` reads; every page's navigation asks for it)."""
    from .models import RoleAssignment, Unit

    quote = connection.ops.quote_name
    entry = f"ra.{quote('role')} || '{_FIELD}' || COALESCE(un.{quote('path')}, '')"
    return (
        f"(SELECT {joined_text(entry, _ROW)} "
        f"FROM {quote(RoleAssignment._meta.db_table)} ra "
        f"LEFT JOIN {quote(Unit._meta.db_table)} un "
        f"ON un.{quote('id')} = ra.{quote('unit_id')} "
        f"WHERE ra.{quote('user_id')} = u.{quote('id')} "
        f"AND (ra.{quote('valid_from')} IS NULL OR ra.{quote('valid_from')} <= %s) "
        f"AND (ra.{quote('valid_to')} IS NULL OR ra.{quote('valid_to')} >= %s))"
    )


@cache
def _unread_expression() -> str:
    """A subquery on the user ``u``: how many of the user's notifications are unread
    (the bell in every page's header shows it)."""
    from django.apps import apps

    quote = connection.ops.quote_name
    notification = apps.get_model("campaigns", "Notification")._meta
    return (
        f"(SELECT COUNT(*) FROM {quote(notification.db_table)} n "
        f"WHERE n.{quote('user_id')} = u.{quote('id')} "
        f"AND n.{quote('read_at')} IS NULL)"
    )


def _roles_from(text: str | None) -> list[tuple[str, str | None]]:
    roles = []
    for entry in (text or "").split(_ROW):
        if entry:
            role, _sep, path = entry.partition(_FIELD)
            roles.append((role, path or None))
    return roles


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
        permissions = _permission_expressions(connection.vendor)
        try:
            key = user_columns.model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        today = timezone.localdate()
        roles = Expressions(_roles_expression(connection.vendor), _unread_expression())
        rows = fetch(
            f"SELECT {user_columns.select()}, {profile_columns.select()}, "
            f"{permissions.select()}, {roles.select()} "
            f"FROM {user_columns.table} LEFT JOIN {profile_columns.table} "
            "ON p.user_id = u.id WHERE u.id = %s",
            [today, today, key],
            [user_columns, profile_columns, permissions, roles],
        )
        if not rows:
            return None
        user, at = user_columns.split(rows[0], 0)
        profile, at = profile_columns.split(rows[0], at)
        own, via_groups, grants, unread = rows[0][at:]
        # The caches ModelBackend fills on the first has_perm, filled from this read.
        user._user_perm_cache = set((own or "").split())
        user._group_perm_cache = set((via_groups or "").split())
        # And the one permissions._roles fills (grants in force today, as in_force).
        user._role_cache = _roles_from(grants)
        # And the bell's count (learning.campaigns.selectors.unread_count).
        user._unread_notifications = unread
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


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """django-axes' AXES_USERNAME_CALLABLE: the account a sign-in attempt is for.

    People sign in with the account name or the staff number (StaffNumberBackend);
    counted as typed, each would be a separate budget of failures for one account.
    The name is resolved as the backend resolves it, so both count as one; a name
    that matches no account is counted as typed.
    """
    from django.conf import settings

    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        typed = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(field)
    if not typed or not isinstance(typed, str):
        return typed
    typed = typed.strip()
    if "\x00" in typed:
        return typed  # no account has it; PostgreSQL refuses it in a query
    User = get_user_model()
    if User.objects.filter(username=typed).exists():
        return typed
    owner = (
        User.objects.filter(profile__staff_no=typed)
        .values_list("username", flat=True)
        .first()
    )
    return owner or typed
