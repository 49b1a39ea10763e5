"""Report pages: adapters over reports.selectors; every unit comes through
organisation.selectors, so another unit's page is a 404."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from learning.campaigns.models import Campaign
from organisation.permissions import can_manage_campaigns, can_view_reports
from organisation.selectors import unit_ancestors, unit_get_visible, units_visible_to

from . import selectors, services
from .exports import csv_stream
from .models import ReportExport

PAGE_SIZE = 50
# Above this many people the page lists sub-units only (the CSV and files list everyone).
PEOPLE_LIST_LIMIT = 5000
FILTERS = {
    "not_done": selectors.NOT_DONE,
    "overdue": ("overdue",),
    "not_started": ("not_started",),
    "in_progress": ("in_progress",),
    "exempt": ("exempt",),
    "completed": ("completed",),
    "all": None,
}


def reports_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _as_of(request) -> dt.date:
    text = request.GET.get("as_of", "")
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


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
    return redirect("reports:campaign_unit", campaign.code, tops[0].code)


@reports_required
def campaign_unit(request, code: str, unit_code: str):
    campaign = get_object_or_404(Campaign, code=code)
    unit = unit_get_visible(request.user, code=unit_code)
    as_of, show = _as_of(request), _filter(request)
    report = selectors.campaign_report(campaign, unit=unit, as_of=as_of)
    page = None
    if report.summary["headcount"] <= PEOPLE_LIST_LIMIT:
        people = selectors.campaign_people(report, statuses=FILTERS[show])
        paginator = Paginator(_CountedPeople(people), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    visible = {
        u.code
        for u in units_visible_to(request.user).filter(
            code__in=[c for c in unit.path.split("/") if c]
        )
    }
    crumbs = [u for u in unit_ancestors(unit) if u.code in visible]
    children = report.children_of(unit)
    own = report.own(unit.code)
    timeline = selectors.completions_timeline(report)
    return render(
        request,
        "reports/campaign.html",
        {
            "campaign": campaign,
            "unit": unit,
            "crumbs": crumbs,
            "report": report,
            "children": children,
            "own": own,
            "page": page,
            "show": show,
            "filters": _filter_choices(),
            "as_of": as_of,
            "chart": {
                "units": [
                    {
                        "name": c["unit_name"],
                        "rate": c["completion_rate"],
                        "completed": c["completed"],
                        "headcount": c["headcount"],
                    }
                    for c in children
                ],
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


def _filter_choices():
    return [
        ("not_done", _("Not done")),
        ("overdue", _("Overdue")),
        ("not_started", pgettext("learning status", "Not started")),
        ("in_progress", pgettext("learning status", "In progress")),
        ("exempt", _("Exempt")),
        ("completed", _("Completed")),
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
    people = selectors.campaign_people(report, statuses=FILTERS[_filter(request)])
    response = StreamingHttpResponse(
        csv_stream(report, people), content_type="text/csv; charset=utf-8"
    )
    name = f"{campaign.code}-{unit.code}-{report.as_of.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
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
    return render(request, "reports/export.html", {"export": export})


@reports_required
def export_download(request, pk: int):
    export = selectors.export_get(user=request.user, pk=pk)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.file.name.rsplit("/", 1)[-1],
    )


@reports_required
def matrix(request, unit_code: str | None = None):
    if unit_code is None:
        tops = selectors.top_units(request.user)
        if not tops:
            raise Http404
        return redirect("reports:matrix", tops[0].code)
    unit = unit_get_visible(request.user, code=unit_code)
    year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", year))
    except ValueError:
        pass
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
