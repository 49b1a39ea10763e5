"""Admin forms for the unit tree and the roster (Wagtail snippets)."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .importing import REGISTRY


class UnitAdminForm(WagtailAdminModelForm):
    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        unit = self.instance
        if parent is not None and unit.pk:
            if parent.pk == unit.pk or (
                unit.path and parent.path.startswith(unit.path)
            ):
                raise forms.ValidationError(
                    _("a unit cannot be placed under itself or its own sub-unit")
                )
        return parent

    def save(self, commit=True):
        from .services import _recompute_paths

        unit = super().save(commit=commit)
        if commit:
            _recompute_paths()
            unit.refresh_from_db()
        return unit


class StaffProfileAdminForm(WagtailAdminModelForm):
    """Creating a person here also creates their (not yet usable) sign-in account."""

    def clean_staff_no(self):
        # Never hand an existing account (an administrator's, say) to a new person.
        staff_no = self.cleaned_data.get("staff_no")
        if not self.instance.pk and staff_no:
            if get_user_model().objects.filter(username=staff_no).exists():
                raise forms.ValidationError(
                    _(
                        "An account with this name already exists; choose another "
                        "staff number or ask the platform administrator."
                    )
                )
        return staff_no

    def save(self, commit=True):
        profile = super().save(commit=False)
        User = get_user_model()
        if not profile.user_id:
            user = User(username=profile.staff_no, password=make_password(None))
        else:
            user = profile.user
        user.first_name = profile.name[:150]
        user.email = profile.email
        user.is_active = profile.active
        if commit:
            user.save()
            profile.user = user
            profile.save()
            self.save_m2m()
        return profile


class RoleAssignmentAdminForm(WagtailAdminModelForm):
    """A grant by search: the holder must be on the roster, and the unit fits the role."""

    def clean(self):
        from .permissions import PROVINCE_WIDE_ROLES
        from .selectors import staff_visible_to

        cleaned = super().clean()
        user, role, unit = (cleaned.get(k) for k in ("user", "role", "unit"))
        if (
            user is not None
            and not staff_visible_to(self.for_user).filter(user=user).exists()
        ):
            self.add_error("user", _("Choose a person on the roster who has not left."))
        if role in PROVINCE_WIDE_ROLES and unit is not None:
            self.add_error(
                "unit", _("This role covers the whole province: leave the unit empty.")
            )
        if role not in PROVINCE_WIDE_ROLES and role and unit is None:
            self.add_error("unit", _("Choose the unit whose subtree this role covers."))
        return cleaned

    def save(self, commit=True):
        from .services import role_groups_sync

        grant = super().save(commit=commit)
        if commit:
            role_groups_sync(user_ids=[grant.user_id])
        return grant


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"))
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or GB18030) or XLSX with a header row. Nothing is written if any row is wrong."
        ),
    )
    deactivate_missing = forms.BooleanField(
        label=_("This is the full roster: deactivate people who are not in it"),
        help_text=_(
            "Staff roster only. The preview lists everyone it would deactivate."
        ),
        required=False,
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k, REGISTRY[k].label) for k in (kinds or REGISTRY)
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload


def upload_too_large_message() -> str:
    return gettext(
        "The file is larger than the %(limit)s limit for imports and was not saved. "
        "Split it into smaller files and upload them one by one."
    ) % {"limit": _megabytes(settings.IMPORT_UPLOAD_MAX_BYTES)}


def check_upload_size(upload) -> None:
    """Refuse an upload over IMPORT_UPLOAD_MAX_BYTES by its declared size, before
    anything stores or reads it."""
    if upload is not None and upload.size > settings.IMPORT_UPLOAD_MAX_BYTES:
        raise forms.ValidationError(upload_too_large_message(), code="too_large")


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 1 else f"{size / 1024:.0f} KB"
