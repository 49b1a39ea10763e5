from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


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
        (every page reads it, and user_can_authenticate checks it)."""
        User = get_user_model()
        user = (
            User._default_manager.select_related("profile").filter(pk=user_id).first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        return profile is None or profile.active
