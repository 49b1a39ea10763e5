from wagtail.users.apps import WagtailUsersAppConfig


class UsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app, with a users list that shows each account's staff profile."""

    user_viewset = "organisation.admin_users.UserViewSet"
