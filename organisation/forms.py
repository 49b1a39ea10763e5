from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Staff number or account name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The staff number or password is not right. Both are case-sensitive."
        ),
        "inactive": _("This account is disabled."),
    }


class AdminSignInForm(WagtailLoginForm):
    """Wagtail's sign-in form with the platform's wording. Wagtail leaves the password
    field without a label, which a visitor not yet signed in read as "Password" in
    English; and the admin accepts staff numbers like the rest of the platform."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"placeholder": _("Enter password")}),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Staff number or account name")
        username.widget.attrs["placeholder"] = _("Staff number or account name")
