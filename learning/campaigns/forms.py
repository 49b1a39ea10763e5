from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from learning.models import CoursePage
from organisation.models import BusinessLine, StaffProfile, Unit
from organisation.tabular import split_codes
from organisation.validators import validate_code

from .models import Campaign

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, validators=[validate_code])
    title = forms.CharField(label=_("Title"), max_length=200)
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"),
        queryset=CoursePage.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.CharField(
        label=_("Units"),
        required=False,
        help_text=_(
            "Unit codes separated by semicolons; each includes its whole subtree. "
            "Empty means every unit."
        ),
    )
    business_lines = forms.ModelMultipleChoiceField(
        label=_("Business lines"),
        queryset=BusinessLine.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    positions = forms.CharField(
        label=_("Positions"),
        required=False,
        help_text=_(
            "Separated by semicolons, e.g. 检察官;检察官助理. Empty means all."
        ),
    )
    leaders_only = forms.BooleanField(label=_("Leading cadres only"), required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    due_days = forms.IntegerField(
        label=_("Or due this many days after joining"),
        required=False,
        min_value=1,
        max_value=3650,
    )
    recurrence = forms.ChoiceField(
        label=_("Recurrence"), choices=Campaign.Recurrence.choices
    )
    active = forms.BooleanField(
        label=pgettext_lazy("campaign", "Active"), required=False, initial=True
    )

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        if campaign is not None:
            self.fields["code"].disabled = True

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Campaign.objects.filter(code=code)
        if self.campaign is not None:
            taken = taken.exclude(pk=self.campaign.pk)
        if taken.exists():
            raise forms.ValidationError(_("A campaign with this code already exists."))
        return code

    def clean_units(self):
        codes = split_codes(self.cleaned_data["units"])
        found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(
                _("Unknown unit codes: %(codes)s") % {"codes": "、".join(missing)}
            )
        return [found[c] for c in codes]

    def clean_positions(self):
        return split_codes(self.cleaned_data["positions"])

    def clean(self):
        data = super().clean()
        if not data.get("due_on") and not data.get("due_days"):
            raise forms.ValidationError(
                _("Give a due date or a number of days after joining the audience.")
            )
        if (
            data.get("due_on")
            and data.get("starts_on")
            and data["due_on"] < data["starts_on"]
        ):
            self.add_error("due_on", _("The due date is before the start date."))
        return data

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        return {
            "code": campaign.code,
            "title": campaign.title,
            "courses": list(campaign.courses.all()),
            "units": ";".join(campaign.units.values_list("code", flat=True)),
            "business_lines": list(campaign.business_lines.all()),
            "positions": ";".join(campaign.positions or []),
            "leaders_only": campaign.leaders_only,
            "starts_on": campaign.starts_on,
            "due_on": campaign.due_on,
            "due_days": campaign.due_days,
            "recurrence": campaign.recurrence,
            "active": campaign.active,
        }


class ExemptionForm(forms.Form):
    staff_no = forms.CharField(label=_("Staff number"), max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    approver = forms.CharField(label=_("Approved by"), max_length=60)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)

    def clean_staff_no(self):
        staff = (
            StaffProfile.objects.filter(staff_no=self.cleaned_data["staff_no"].strip())
            .select_related("unit")
            .first()
        )
        if staff is None:
            raise forms.ValidationError(_("No such person on the roster."))
        return staff
