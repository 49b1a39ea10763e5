"""Campaigns and their completion report, completions, certificates and 学时."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from config.http import AuthenticatedHttpRequest
from hours.selectors import hours_report, roster_for_year
from learning.campaigns.models import Campaign
from learning.models import CourseCompletion
from learning.selectors import certificate_get
from organisation.permissions import (
    ALL,
    can_view_reports,
    is_administrator,
    user_scope_paths,
)
from organisation.selectors import (
    staff_in_unit,
    staff_visible_to,
    unit_get_visible,
    unit_subtree,
    units_visible_to,
)
from reports.selectors import campaign_people, campaign_report, campaigns_for_reports

from ..auth import TOKEN_OR_ANONYMOUS
from ..imports import run_rows
from ..pagination import DEFAULT_LIMIT, paginate

router = Router(tags=["learning"])


class CampaignOut(Schema):
    code: str
    title: str
    courses: list[str]
    starts_on: dt.date
    due_on: dt.date | None
    recurrence: str
    active: bool


class CampaignPage(Schema):
    results: list[CampaignOut]
    next: str | None


class CompletionOut(Schema):
    id: int
    staff_no: str
    course_code: str
    completed_on: dt.date
    version: int
    source: str
    source_text: str
    score: Decimal | None
    hours: Decimal | None
    superseded: bool


class CompletionPage(Schema):
    results: list[CompletionOut]
    next: str | None


class RowsIn(Schema):
    rows: list[dict]


class CertificateOut(Schema):
    code: str
    name: str
    course_code: str
    course_title: str
    completed_on: dt.date
    issued_at: dt.datetime


def _require_reports(user) -> None:
    if not can_view_reports(user):
        raise PermissionDenied


def _campaign_json(campaign: Campaign) -> dict:
    return {
        "code": campaign.code,
        "title": campaign.title,
        "courses": sorted(c.code for c in campaign.courses.all()),
        "starts_on": campaign.starts_on,
        "due_on": campaign.due_on,
        "recurrence": campaign.recurrence,
        "active": campaign.active,
    }


@router.get("/campaigns/", response=CampaignPage, summary="Training campaigns")
def campaigns_list(
    request: AuthenticatedHttpRequest,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    _require_reports(request.user)
    campaigns = campaigns_for_reports(request.user).prefetch_related("courses")
    if active is not None:
        campaigns = campaigns.filter(active=active)
    page = paginate(request, campaigns, key="code", cursor=cursor, limit=limit)
    return {"results": [_campaign_json(c) for c in page.items], "next": page.next}


@router.get("/campaigns/{code}/", response=CampaignOut, summary="One campaign")
def campaign_detail(request: AuthenticatedHttpRequest, code: str):
    _require_reports(request.user)
    return _campaign_json(get_object_or_404(Campaign, code=code))


@router.get(
    "/campaigns/{code}/report/",
    summary="The completion report (the JSON of completion_report)",
)
def campaign_report_json(
    request: AuthenticatedHttpRequest,
    code: str,
    as_of: dt.date | None = None,
    unit: str | None = None,
):
    """The same service and the same JSON as ``completion_report --format json``,
    over the token user's scope (a unit outside it is a 404)."""
    _require_reports(request.user)
    campaign = get_object_or_404(Campaign, code=code)
    found = unit_get_visible(request.user, code=unit) if unit else None
    # Leadership without a unit sees the province, as the command does; a unit
    # leader sees their own subtrees.
    whole = found is None and user_scope_paths(request.user) is ALL
    report = campaign_report(
        campaign,
        user=None if whole else request.user,
        unit=found,
        as_of=as_of or timezone.localdate(),
    )
    return JsonResponse(
        report.as_json(list(campaign_people(report))),
        json_dumps_params={"ensure_ascii": False},
    )


def _completions_visible_to(user):
    completions = CourseCompletion.objects.filter(user__profile__isnull=False)
    if user_scope_paths(user) is ALL:
        return completions
    # A learner sees their own; a unit leader also everyone in their subtrees.
    people = staff_visible_to(user, include_inactive=True).values("user_id")
    return completions.filter(Q(user=user) | Q(user_id__in=people))


COMPLETION_FIELDS = (
    "id",
    "completed_on",
    "version",
    "source",
    "source_text",
    "score",
    "hours",
    "superseded",
)


@router.get("/completions/", response=CompletionPage, summary="Course completions")
def completions_list(
    request: AuthenticatedHttpRequest,
    staff_no: str | None = None,
    course: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    completions = _completions_visible_to(request.user)
    if staff_no:
        completions = completions.filter(user__profile__staff_no=staff_no)
    if course:
        completions = completions.filter(course__code=course)
    if since:
        completions = completions.filter(completed_on__gte=since)
    if until:
        completions = completions.filter(completed_on__lte=until)
    if source:
        completions = completions.filter(source=source)
    rows = completions.values(
        *COMPLETION_FIELDS,
        staff_no=F("user__profile__staff_no"),
        course_code=F("course__code"),
    )
    page = paginate(request, rows, key="id", cursor=cursor, limit=limit)
    return {"results": page.items, "next": page.next}


@router.post(
    "/completions/",
    response={200: dict, 201: dict},
    summary="Record offline completions, all or nothing (administrators)",
)
def completions_post(
    request: AuthenticatedHttpRequest, body: RowsIn, dry_run: bool = False
):
    """Rows as ``import_completions`` reads them: staff_no, course_code,
    completed_on [score, source, kind, hours]."""
    if not is_administrator(request.user):
        raise PermissionDenied
    summary = run_rows("completions", body.rows, user=request.user, dry_run=dry_run)
    status = 201 if summary.created and not dry_run else 200
    return status, summary.as_dict(changes=True)


def _hours_scope(user, unit: str | None) -> tuple[QuerySet, QuerySet]:
    """The people and units a 学时 page is drawn from: the ``unit`` subtree (404
    outside the token's scope) or everything the token's user may see."""
    if unit:
        found = unit_get_visible(user, code=unit)
        return staff_in_unit(found), unit_subtree(found)
    return staff_visible_to(user), units_visible_to(user)


@router.get("/hours/", summary="学时 of a year against the national plan")
def hours(
    request: AuthenticatedHttpRequest,
    year: int | None = None,
    as_of: dt.date | None = None,
    unit: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    """One page of people, each row the JSON of ``training_hours_report`` for the
    same person, year and date; paged by staff number over the token's scope."""
    _require_reports(request.user)
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise HttpError(400, _("The year must be a year such as 2026."))
    as_of = as_of or min(today, dt.date(year, 12, 31))
    staff, units = _hours_scope(request.user, unit)
    roster = roster_for_year(staff, year).values("staff_no")
    page = paginate(request, roster, key="staff_no", cursor=cursor, limit=limit)
    numbers = [row["staff_no"] for row in page.items]
    with translation.override("zh-hans"):
        report = hours_report(
            year=year,
            as_of=as_of,
            staff=staff.filter(staff_no__in=numbers),
            units=units,
        ).as_json()
    people = sorted(report["people"], key=lambda person: person["staff_no"])
    return JsonResponse(
        {
            "year": report["year"],
            "as_of": report["as_of"],
            "results": people,
            "next": page.next,
        },
        json_dumps_params={"ensure_ascii": False},
    )


@router.get(
    "/certificates/{code}/",
    response=CertificateOut,
    auth=TOKEN_OR_ANONYMOUS,
    summary="Verify a certificate (public)",
)
def certificate_verify(request: AuthenticatedHttpRequest, code: str):
    """Public, like /certificates/verify/<code>/: the name, course and date of a
    certificate, nothing else."""
    certificate = certificate_get(code=code.strip().upper())
    if certificate is None:
        raise Http404
    completion = certificate.completion
    profile = getattr(completion.user, "profile", None)
    return {
        "code": certificate.code,
        "name": profile.name if profile else completion.user.get_username(),
        "course_code": completion.course.code,
        "course_title": completion.course.title,
        "completed_on": completion.completed_on,
        "issued_at": certificate.issued_at,
    }
