"""Pages of the 学时 ledger: the learner's 我的学时 and sign-in, the organiser's code,
the hours report with its files, and the 个人教育培训档案. Units and people come
through organisation.selectors, so anything outside the reader's scope is a 404."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.params import date_param, year_param
from organisation.models import StaffProfile
from organisation.selectors import (
    staff_in_unit,
    staff_visible_to,
    unit_ancestors,
    unit_get_visible,
    unit_subtree,
    units_visible_to,
)
from reports.selectors import top_units
from reports.views import reports_required

from . import exports, selectors, services
from .models import SignInCode
from .permissions import can_run_sign_in

PAGE_SIZE = 50
# Years a 档案 covers: the report year and the four before it (the longest window).
ARCHIVE_YEARS = 5
FILTERS = {
    "not_met": ("not_met",),
    "met": ("met",),
    "exempt": ("exempt",),
    "all": ("met", "not_met", "exempt"),
}


def _year(request) -> int:
    return year_param(request.GET.get("year"), default=timezone.localdate().year)


def _as_of(request, year: int) -> dt.date:
    default = min(timezone.localdate(), dt.date(year, 12, 31))
    return date_param(request.GET.get("as_of", ""), default=default)


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


# The learner --------------------------------------------------------------------


def _my_profile(request) -> StaffProfile:
    profile = StaffProfile.objects.select_related("unit").filter(user=request.user)
    found = profile.first()
    if found is None:
        raise Http404
    return found


@login_required
def mine(request):
    staff = _my_profile(request)
    year = _year(request)
    as_of = min(timezone.localdate(), dt.date(year, 12, 31))
    standing = selectors.standing_of(staff, year=year, as_of=as_of)
    first = min(
        [dt.date(line.window[0], 1, 1) for line in standing.lines if line.window]
        + [x.event_on for x in standing.lines if x.event_on]
        + [dt.date(year, 1, 1)]
    )
    entries = selectors.ledger_of(staff, first=first, last=dt.date(year, 12, 31))
    return render(
        request,
        "hours/mine.html",
        {
            "staff": staff,
            "year": year,
            "years": range(
                timezone.localdate().year, timezone.localdate().year - 6, -1
            ),
            "standing": standing,
            "entries": entries,
            "as_of": as_of,
        },
    )


def _archive_response(request, staff: StaffProfile, year: int) -> HttpResponse:
    today = timezone.localdate()
    years = [
        (y, selectors.standing_of(staff, year=y, as_of=min(today, dt.date(y, 12, 31))))
        for y in range(year, year - ARCHIVE_YEARS, -1)
        # Years before the person joined owe nothing and say nothing.
        if staff.hired_on is None or staff.hired_on.year <= y
    ] or [(year, selectors.standing_of(staff, year=year, as_of=today))]
    entries = list(
        selectors.ledger_of(
            staff,
            first=dt.date(year - ARCHIVE_YEARS + 1, 1, 1),
            last=dt.date(year, 12, 31),
        )
    )
    buffer = io.BytesIO()
    exports.write_archive_pdf(
        buffer, staff=staff, years=years, entries=entries, user=request.user
    )
    return _download(
        buffer.getvalue(), exports.archive_file_name(staff, year), "application/pdf"
    )


@login_required
def my_archive(request):
    return _archive_response(request, _my_profile(request), _year(request))


@login_required
def sign_in(request):
    code = request.POST.get("code") or request.GET.get("code", "")
    if request.method == "POST":
        try:
            attendance = services.sign_in(user=request.user, code=code)
        except services.HoursError as refusal:
            messages.error(request, str(refusal))
        else:
            session = attendance.session
            messages.success(
                request,
                _("Signed in to %(title)s: %(hours)s hours credited.")
                % {"title": session.klass.title, "hours": attendance.hours},
            )
            return redirect("hours:mine")
    return render(request, "hours/sign_in.html", {"code": code[:12]})


# The organiser ------------------------------------------------------------------


def _organiser(request) -> None:
    if not can_run_sign_in(request.user):
        raise PermissionDenied


@login_required
def classes(request):
    _organiser(request)
    found = selectors.classes_organised_by(request.user).prefetch_related("sessions")
    return render(request, "hours/classes.html", {"classes": found[:100]})


@login_required
def session_code(request, pk: int):
    _organiser(request)
    session = selectors.session_get_for_organiser(request.user, pk=pk)
    if request.method == "POST":
        services.sign_in_code_issue(session=session, user=request.user)
        return redirect("hours:session_code", pk=session.pk)
    current = (
        SignInCode.objects.filter(session=session, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )
    return render(
        request,
        "hours/session_code.html",
        {
            "session": session,
            "current": current,
            "signed": session.attendance.count(),
            "link": request.build_absolute_uri(
                reverse("hours:sign_in") + (f"?code={current.code}" if current else "")
            ),
        },
    )


@login_required
def code_qr(request, pk: int):
    """The QR of a session's current code, drawn here (no outside service)."""
    import segno

    _organiser(request)
    session = selectors.session_get_for_organiser(request.user, pk=pk)
    current = (
        SignInCode.objects.filter(session=session, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )
    if current is None:
        raise Http404
    link = request.build_absolute_uri(
        reverse("hours:sign_in") + f"?code={current.code}"
    )
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=8, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


# The report ---------------------------------------------------------------------


def _report(request, unit_code: str, page=None):
    unit = unit_get_visible(request.user, code=unit_code)
    year = _year(request)
    as_of = _as_of(request, year)
    report = selectors.hours_report(
        year=year,
        as_of=as_of,
        staff=staff_in_unit(unit),
        units=unit_subtree(unit),
        page=page,
    )
    return unit, report


def _filter(request) -> str:
    value = request.GET.get("show", "not_met")
    return value if value in FILTERS else "not_met"


@reports_required
def report_home(request):
    tops = top_units(request.user)
    if not tops:
        raise Http404
    target = reverse("hours:report", args=[tops[0].code])
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)


def _children(report, unit) -> list[dict]:
    return [u for u in report.units if u["parent_id"] == unit.pk]


@reports_required
def report(request, unit_code: str):
    show = _filter(request)
    # The page asked for is read with the counts; another (past the end) on its own.
    number = request.GET.get("page", "1")
    first = (int(number) - 1) * PAGE_SIZE if number.isdigit() and number != "0" else 0
    unit, data = _report(request, unit_code, page=(FILTERS[show], first, PAGE_SIZE))
    # Sorted and cut in the database: only the page shown is read.
    people = data.people_with(FILTERS[show])
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = set(
        units_visible_to(request.user)
        .filter(code__in=[c for c in unit.path.split("/") if c])
        .values_list("code", flat=True)
    )
    children = _children(data, unit)
    own = selectors.own_row(data.units, unit.code, children)
    bars = (
        [*children, {**own, "unit_name": _("Staff attached to this unit itself")}]
        if own
        else children
    )
    return render(
        request,
        "hours/report.html",
        {
            "unit": unit,
            "own": own,
            "crumbs": [u for u in unit_ancestors(unit) if u.code in visible],
            "report": data,
            "children": children,
            "page": page,
            "show": show,
            "filters": [
                ("not_met", pgettext("hours status", "Not met")),
                ("met", pgettext("hours status", "Met")),
                ("exempt", pgettext("hours status", "Exempt")),
                ("all", _("Everyone")),
            ],
            "query": request.GET.urlencode(),
            "chart": {
                "units": [
                    {
                        "name": c["unit_name"],
                        "rate": c["met_rate"],
                        "completed": c["met"],
                        "headcount": c["headcount"],
                    }
                    for c in bars
                    if c["met_rate"] is not None
                ],
                "timeline": [],
                "labels": {"rate": _("Share met")},
            },
        },
    )


@reports_required
def report_file(request, unit_code: str, fmt: str):
    unit, data = _report(request, unit_code)
    name = exports.report_file_name(data.year, unit.code, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(data), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(True, name) or ""
        return response
    buffer = io.BytesIO()
    if fmt == "xlsx":
        exports.write_people_xlsx(buffer, data)
        return _download(
            buffer.getvalue(),
            name,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "pdf":
        title = _("Training hours %(year)s · %(unit)s") % {
            "year": data.year,
            "unit": unit.name,
        }
        rows = [u for u in data.units if u["unit_code"] == unit.code]
        exports.write_report_pdf(
            buffer,
            data,
            title=title,
            rows=rows + _children(data, unit),
            user=request.user,
        )
        return _download(buffer.getvalue(), name, "application/pdf")
    raise Http404


@reports_required
def upward(request, unit_code: str):
    """The unit's summary for the unit above: itself, then each direct sub-unit."""
    unit, data = _report(request, unit_code)
    rows = [u for u in data.units if u["unit_code"] == unit.code] + _children(
        data, unit
    )
    buffer = io.BytesIO()
    exports.write_upward_xlsx(buffer, data, rows)
    prefix = _("Hours report to the unit above")
    name = f"{prefix}-{unit.code}-{data.year}.xlsx"
    return _download(
        buffer.getvalue(),
        name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@reports_required
def person_archive(request, staff_no: str):
    staff = get_object_or_404(staff_visible_to(request.user), staff_no=staff_no)
    return _archive_response(request, staff, _year(request))
