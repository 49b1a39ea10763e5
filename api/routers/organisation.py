"""Units and staff: read within the token user's scope; the roster upserted by
administrators with the roster importer's rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from ninja import Body, Router, Schema

from config.http import AuthenticatedHttpRequest
from organisation.models import BusinessLine, StaffProfile, Unit
from organisation.permissions import is_administrator
from organisation.selectors import (
    staff_in_unit,
    staff_visible_to,
    unit_get_visible,
    units_visible_to,
)

from ..imports import run_rows
from ..pagination import DEFAULT_LIMIT, paginate

router = Router(tags=["organisation"])


class UnitOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    business_line: str | None


class UnitPage(Schema):
    results: list[UnitOut]
    next: str | None


class StaffOut(Schema):
    staff_no: str
    name: str
    unit_code: str
    position: str
    business_lines: list[str]
    is_leader: bool
    email: str
    hired_on: dt.date | None
    active: bool
    rank_category: str


class StaffPage(Schema):
    results: list[StaffOut]
    next: str | None


class StaffBatchIn(Schema):
    rows: list[dict]


class ImportOut(Schema):
    model_config = {"extra": "allow"}

    created: int
    updated: int
    unchanged: int
    dry_run: bool
    changes: list[dict] = []


def unit_json(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent_code": unit.parent.code if unit.parent else None,
        "business_line": unit.business_line.code if unit.business_line else None,
    }


def staff_json(person: StaffProfile) -> dict:
    return {
        "staff_no": person.staff_no,
        "name": person.name,
        "unit_code": person.unit.code,
        "position": person.position,
        "business_lines": [b.code for b in person.business_lines.all()],
        "is_leader": person.is_leader,
        "email": person.email,
        "hired_on": person.hired_on,
        "active": person.active,
        "rank_category": person.rank_category,
    }


@router.get("/units/", response=UnitPage, summary="Units in the token's scope")
def units_list(
    request: AuthenticatedHttpRequest,
    parent: str | None = None,
    level: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    units = units_visible_to(request.user)
    if parent:
        units = units.filter(parent__code=parent)
    if level:
        units = units.filter(level=level)
    page = paginate(request, units, key="path", cursor=cursor, limit=limit)
    return {"results": [unit_json(u) for u in page.items], "next": page.next}


@router.get("/units/{code}/", response=UnitOut, summary="One unit (404 outside scope)")
def unit_detail(request: AuthenticatedHttpRequest, code: str):
    return unit_json(unit_get_visible(request.user, code=code))


def _staff_queryset(queryset):
    return queryset.select_related("unit").prefetch_related(
        Prefetch("business_lines", queryset=BusinessLine.objects.only("id", "code"))
    )


@router.get("/staff/", response=StaffPage, summary="Staff in the token's scope")
def staff_list(
    request: AuthenticatedHttpRequest,
    unit: str | None = None,
    include_inactive: bool = False,
    is_leader: bool | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    if unit:
        found = unit_get_visible(request.user, code=unit)
        staff = staff_in_unit(found, include_inactive=include_inactive)
    else:
        staff = staff_visible_to(request.user, include_inactive=include_inactive)
    if is_leader is not None:
        staff = staff.filter(is_leader=is_leader)
    page = paginate(
        request, _staff_queryset(staff), key="staff_no", cursor=cursor, limit=limit
    )
    return {"results": [staff_json(p) for p in page.items], "next": page.next}


@router.get("/staff/{staff_no}/", response=StaffOut, summary="One person")
def staff_detail(request: AuthenticatedHttpRequest, staff_no: str):
    staff = staff_visible_to(request.user, include_inactive=True)
    person = _staff_queryset(staff).filter(staff_no=staff_no).first()
    if person is None:
        raise Http404
    return staff_json(person)


# One person's columns as import_staff reads them (English or Chinese names).
STAFF_FIELDS = Body(..., description="import_staff's columns, staff_no aside")


def _require_administrator(user) -> None:
    if not is_administrator(user):
        raise PermissionDenied


@router.put(
    "/staff/{staff_no}/",
    response=ImportOut,
    summary="Create or update one person (administrators; import_staff's rules)",
)
def staff_put(
    request: AuthenticatedHttpRequest,
    staff_no: str,
    body: dict = STAFF_FIELDS,
    dry_run: bool = False,
):
    """A field left out keeps what is stored, as a column absent from a file."""
    _require_administrator(request.user)
    row = dict(body)
    row.pop("staff_no", None)
    row.pop("工号", None)
    summary = run_rows(
        "staff",
        [row],
        user=request.user,
        dry_run=dry_run,
        fixed={"staff_no": staff_no},
    )
    return summary.as_dict(changes=True)


@router.put(
    "/staff/",
    response=ImportOut,
    summary="Upsert a batch of people, all or nothing (administrators)",
)
def staff_put_batch(
    request: AuthenticatedHttpRequest,
    body: StaffBatchIn,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    confirm_large_changes: bool = False,
):
    _require_administrator(request.user)
    summary = run_rows(
        "staff",
        body.rows,
        user=request.user,
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
        confirm_large=confirm_large_changes,
    )
    return summary.as_dict(changes=True)
