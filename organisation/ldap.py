"""Sign-in against the directory (LDAP) for the people on the roster.

The directory only checks the password. Who the person is comes from the roster:
the directory entry's staff number (``LDAP_STAFF_NO_ATTR``, ``employeeNumber`` by
default) must name an active person of the roster, whose account is the one signed
in. Nobody off the roster gets an account, and nothing of the directory (names,
groups) changes the platform's data: roles are granted on the platform only.
"""

from __future__ import annotations

from django.conf import settings
from django_auth_ldap.backend import LDAPBackend

from .models import StaffProfile


class RosterLDAPBackend(LDAPBackend):
    def get_or_build_user(self, username, ldap_user):
        values = ldap_user.attrs.get(settings.LDAP_STAFF_NO_ATTR) or []
        staff_no = values[0].strip() if values else ""
        profile = None
        if staff_no:
            profile = (
                StaffProfile.objects.select_related("user")
                .filter(staff_no=staff_no, active=True)
                .first()
            )
        if profile is None or not profile.user.is_active:
            raise ldap_user.AuthenticationFailed("not an active person of the roster")
        return profile.user, False
