"""Report pages: adapters over reports.selectors; every unit comes through
organisation.selectors, so another unit's page is a 404."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.params import date_param, year_param
from config.storage import private_file_response
from learning.campaigns.models import Campaign
from organisation.permissions import can_manage_campaigns, can_view_reports
from organisation.selectors import unit_ancestors, unit_get_visible, units_visible_to

from . import exports, selectors, services
from .exports import csv_stream
from .models import ReportExport
from .services import STATUS_FILTERS

PAGE_SIZE = 50
# Above this many people the page lists sub-units only (the CSV and files list everyone).
PEOPLE_LIST_LIMIT = 5000
# The lists a page can show are the lists a file can hold.
FILTERS = STATUS_FILTERS


def reports_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _as_of(request) -> dt.date:
    # Malformed or out of range (9999-12-31 overflowed date arithmetic): today.
    return date_param(request.GET.get("as_of", ""), default=timezone.localdate())


def _filter(request) -> str:
    value = request.GET.get("show", "not_done")
    return value if value in FILTERS else "not_done"


@reports_required
def index(request):
    campaigns = list(selectors.campaigns_for_reports(request.user))
    as_of = timezone.localdate()
    cards = [
        (c, selectors.campaign_summary_cached(c, user=request.user, as_of=as_of))
        for c in campaigns
    ]
    top_units = selectors.top_units(request.user)
    return render(
        request,
        "reports/index.html",
        {
            "cards": cards,
            "as_of": as_of,
            "top_units": top_units,
            "can_manage": can_manage_campaigns(request.user),
        },
    )


@reports_required
def campaign(request, code: str):
    campaign = get_object_or_404(Campaign, code=code)
    tops = selectors.top_units(request.user)
    if not tops:
        raise Http404
    target = reverse("reports:campaign_unit", args=[campaign.code, tops[0].code])
    # The chosen list and date travel with the redirect.
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)


@reports_required
def campaign_unit(request, code: str, unit_code: str):
    campaign = get_object_or_404(Campaign, code=code)
    unit = unit_get_visible(request.user, code=unit_code)
    as_of, show = _as_of(request), _filter(request)
    report = selectors.campaign_report(campaign, unit=unit, as_of=as_of)
    page = None
    if report.summary["headcount"] <= PEOPLE_LIST_LIMIT:
        people = selectors.campaign_people(report, statuses=FILTERS[show])
        paginator = Paginator(_CountedPeople(people), PAGE_SIZE)  # type: ignore[arg-type, var-annotated]
        page = paginator.get_page(request.GET.get("page"))
    visible = {
        u.code
        for u in units_visible_to(request.user).filter(
            code__in=[c for c in unit.path.split("/") if c]
        )
    }
    crumbs = [u for u in unit_ancestors(unit) if u.code in visible]
    table = exports.summary_rows(report, unit)
    timeline = selectors.completions_timeline(report)
    return render(
        request,
        "reports/campaign.html",
        {
            "campaign": campaign,
            "unit": unit,
            "crumbs": crumbs,
            "report": report,
            "table": table,
            "head": exports.heading(report, unit, show, user=request.user),
            "rate_note": exports.rate_note(),
            "page": page,
            "show": show,
            "filters": _filter_choices(),
            "as_of": as_of,
            "today": timezone.localdate(),
            "left_out": [
                r.label for r in table if r.kind == "unit" and not r.in_audience
            ],
            "chart": {
                "units": _chart_units(table),
                "timeline": timeline,
                "due_on": report.cycle.due_on.isoformat()
                if report.cycle.due_on
                else None,
                "starts_on": report.cycle.starts_on.isoformat(),
                "expected": report.summary["headcount"] - report.summary["exempt"],
                "labels": {
                    "rate": _("Completion rate"),
                    "completed": _("People completed (cumulative)"),
                    "due": _("Due date"),
                    "target": _("Everyone"),
                },
            },
            "query": request.GET.urlencode(),
        },
    )


def _chart_units(table: list[exports.TableRow]) -> list[dict]:
    """Bars for the sub-units and the people attached to the unit itself (本级); a
    unit with nobody in the campaign's audience is left out rather than drawn as 0%,
    and so is one whose people are all exempt (no rate)."""
    return [
        {
            "name": r.label,
            "rate": r.counts["completion_rate"],
            "completed": r.counts["completed"],
            "headcount": r.counts["headcount"],
        }
        for r in table
        if r.kind in ("unit", "own") and r.counts["completion_rate"] is not None
    ]


def _filter_choices():
    return [
        ("not_done", _("Not done")),
        ("overdue", exports.status_label("overdue")),
        ("not_started", exports.status_label("not_started")),
        ("in_progress", exports.status_label("in_progress")),
        ("exempt", exports.status_label("exempt")),
        ("completed", exports.status_label("completed")),
        ("all", _("Everyone")),
    ]


class _CountedPeople:
    """Lets Django's Paginator page through people with COUNT + LIMIT/OFFSET."""

    def __init__(self, reader):
        self.reader = reader
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.reader.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice):
        start, stop = item.start or 0, item.stop
        return self.reader.page(offset=start, limit=stop - start)


@reports_required
def people_csv(request, code: str, unit_code: str):
    campaign = get_object_or_404(Campaign, code=code)
    unit = unit_get_visible(request.user, code=unit_code)
    report = selectors.campaign_report(campaign, unit=unit, as_of=_as_of(request))
    show = _filter(request)
    people = selectors.campaign_people(report, statuses=FILTERS[show])
    response = StreamingHttpResponse(
        csv_stream(report, people), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(  # type: ignore[assignment]
        True, exports.file_name(report, unit, show, "csv")
    )
    return response


@require_POST
@reports_required
def export_create(request, code: str, unit_code: str):
    campaign = get_object_or_404(Campaign, code=code)
    unit = unit_get_visible(request.user, code=unit_code)
    fmt = request.POST.get("format", "")
    if fmt not in ReportExport.Format.values:
        raise Http404
    export = services.export_request(
        user=request.user,
        campaign=campaign,
        unit=unit,
        as_of=_as_of(request),
        fmt=fmt,
        show=request.POST.get("show", "not_done")
        if request.POST.get("show") in FILTERS
        else "not_done",
        language=request.LANGUAGE_CODE,
    )
    return redirect("reports:export_detail", export.pk)


@reports_required
def export_detail(request, pk: int):
    export = selectors.export_get(user=request.user, pk=pk)
    return render(
        request,
        "reports/export.html",
        {"export": export, "list_title": exports.list_title(export.show)},
    )


@reports_required
def export_download(request, pk: int):
    export = selectors.export_get(user=request.user, pk=pk)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404
    return private_file_response(
        export.file, filename=export.filename or f"report.{export.format}"
    )


@reports_required
def matrix(request, unit_code: str | None = None):
    if unit_code is None:
        tops = selectors.top_units(request.user)
        if not tops:
            raise Http404
        return redirect("reports:matrix", tops[0].code)
    unit = unit_get_visible(request.user, code=unit_code)
    year = year_param(request.GET.get("year"), default=timezone.localdate().year)
    staff = selectors.matrix_staff(unit)
    paginator = Paginator(staff, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    data = selectors.training_matrix(list(page.object_list), year=year)
    children = selectors.child_units(unit)
    return render(
        request,
        "reports/matrix.html",
        {
            "unit": unit,
            "children": children,
            "page": page,
            "year": year,
            **data,
        },
    )


def forbidden_if_not_manager(user) -> None:
    if not can_manage_campaigns(user):
        raise PermissionDenied
