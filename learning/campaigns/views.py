"""Campaign management (leadership and administrators) and the learner's notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.params import int_param
from organisation.permissions import can_manage_campaigns
from organisation.services import language_preference_default

from . import services
from .forms import CampaignForm, ExemptionForm
from .models import Campaign, Exemption
from .selectors import notifications_for


def _manager(request) -> None:
    if not can_manage_campaigns(request.user):
        raise PermissionDenied


@login_required
def notifications(request):
    # Until a person picks a language, their reminders use the one they read pages in;
    # a choice made with the language switch is never overwritten here.
    language_preference_default(user=request.user, language=request.LANGUAGE_CODE)
    page = Paginator(notifications_for(request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "campaigns/notifications.html", {"page": page})


@require_POST
@login_required
def notifications_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("campaigns:notifications")


@login_required
def campaign_list(request):
    _manager(request)
    campaigns = Campaign.objects.prefetch_related("courses").order_by(
        "-active", "-starts_on", "code"
    )
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


def _save(form, request, campaign=None):
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "positions": data["positions"],
        "leaders_only": data["leaders_only"],
        "starts_on": data["starts_on"],
        "due_on": data["due_on"],
        "due_days": data["due_days"],
        "recurrence": data["recurrence"],
    }
    if campaign is None:
        campaign = services.campaign_create(
            code=data["code"],
            courses=data["courses"],
            units=data["units"],
            business_lines=data["business_lines"],
            created_by=request.user,
            **fields,
        )
        if not data["active"]:
            services.campaign_update(campaign=campaign, active=False)
        return campaign
    return services.campaign_update(
        campaign=campaign,
        courses=data["courses"],
        units=data["units"],
        business_lines=data["business_lines"],
        active=data["active"],
        **fields,
    )


@login_required
def campaign_new(request):
    _manager(request)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = _save(form, request)
        except services.CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Campaign created."))
            return redirect("reports:campaign", campaign.code)
    return render(request, "campaigns/form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request, code: str):
    _manager(request)
    campaign = get_object_or_404(Campaign, code=code)
    form = CampaignForm(
        request.POST or None,
        campaign=campaign,
        initial=CampaignForm.initial_for(campaign),
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save(form, request, campaign)
        except services.CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaigns:edit", campaign.code)
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign})


@login_required
def exemptions(request, code: str):
    _manager(request)
    campaign = get_object_or_404(Campaign, code=code)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and "revoke" in request.POST:
        exemption = get_object_or_404(
            Exemption,
            pk=int_param(request.POST["revoke"], default=0),
            campaign=campaign,
        )
        services.exemption_revoke(exemption=exemption)
        messages.success(request, _("Exemption removed."))
        return redirect("campaigns:exemptions", campaign.code)
    if request.method == "POST" and form.is_valid():
        try:
            services.exemption_grant(
                campaign=campaign,
                staff=form.cleaned_data["staff_no"],
                reason=form.cleaned_data["reason"],
                approver=form.cleaned_data["approver"],
                approved_by=request.user,
                expires_on=form.cleaned_data["expires_on"],
            )
        except services.CampaignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Exemption recorded."))
            return redirect("campaigns:exemptions", campaign.code)
    rows = campaign.exemptions.select_related("staff", "staff__unit").order_by(
        "staff__unit__path", "staff__staff_no"
    )
    return render(
        request,
        "campaigns/exemptions.html",
        {"campaign": campaign, "form": form, "exemptions": rows},
    )
