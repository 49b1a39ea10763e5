"""Role checks. Views and templates ask these functions; nobody tests role names inline."""

from __future__ import annotations

from .models import RoleAssignment

Role = RoleAssignment.Role
ALL = object()  # sentinel: the whole province
# Roles that cover the province whatever unit they name: stored without a unit.
PROVINCE_WIDE_ROLES = frozenset(
    {Role.LEADERSHIP, Role.ADMINISTRATOR, Role.TRAINING_HEAD}
)


def _roles(user) -> list[tuple[str, str | None]]:
    """(role, unit path) pairs of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = list(
            # Expired and future grants give nothing: the period is read on every request.
            RoleAssignment.objects.in_force()
            .filter(user=user)
            .values_list("role", "unit__path")
        )
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return any(role in roles for role, _path in _roles(user))


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(
        user, Role.ADMINISTRATOR
    )


def is_leadership(user) -> bool:
    return is_administrator(user) or has_role(user, Role.LEADERSHIP)


def is_unit_leader(user) -> bool:
    return has_role(user, Role.UNIT_LEADER)


def is_trainer(user) -> bool:
    return is_administrator(user) or has_role(user, Role.TRAINER, Role.TRAINING_HEAD)


def is_training_head(user) -> bool:
    return is_administrator(user) or has_role(user, Role.TRAINING_HEAD)


def can_view_reports(user) -> bool:
    return is_leadership(user) or is_unit_leader(user)


def can_manage_campaigns(user) -> bool:
    return is_leadership(user)


def can_use_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        is_administrator(user)
        or is_trainer(user)
        or user.has_perm("wagtailadmin.access_admin")
    )


def user_scope_paths(user):
    """Unit paths whose subtrees the user may see in reports: ALL, or a list (maybe empty)."""
    if is_leadership(user):
        return ALL
    paths = sorted(
        {path for role, path in _roles(user) if role == Role.UNIT_LEADER and path}
    )
    # Drop paths already covered by a broader one.
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def trainer_scope_paths(user):
    """Units whose learners a trainer marks: ALL for province-wide trainers, else a list."""
    if is_administrator(user) or has_role(user, Role.TRAINING_HEAD):
        return ALL
    paths = [path for role, path in _roles(user) if role == Role.TRAINER]
    if any(path is None for path in paths):
        return ALL
    return sorted(set(paths))
