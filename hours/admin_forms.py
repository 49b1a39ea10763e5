from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import LedgerEntry


class ManualEntryForm(WagtailAdminModelForm):
    """A manual credit: the reason is required and the author is recorded."""

    def clean_reason(self):
        reason = self.cleaned_data.get("reason", "").strip()
        if not reason:
            raise forms.ValidationError(_("A manual entry needs a reason."))
        return reason

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is not None and hours <= 0:
            raise forms.ValidationError(_("The hours must be more than zero."))
        return hours

    def save(self, commit=True):
        entry = super().save(commit=False)
        entry.source = LedgerEntry.Source.MANUAL
        if entry.created_by_id is None and getattr(self, "for_user", None):
            entry.created_by = self.for_user
        if commit:
            entry.save()
        return entry
