"""Indicator values posted by the case-management system, and the stored gap snapshot."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema

from config.http import AuthenticatedHttpRequest
from insights.permissions import can_view_insights
from insights.selectors import snapshot_for
from organisation.permissions import is_administrator

from ..imports import run_rows

router = Router(tags=["insights"])


class PeriodValuesIn(Schema):
    period: str
    rows: list[dict]


@router.post(
    "/indicator-values/",
    response={200: dict, 201: dict},
    summary="A period's indicator values, all or nothing (administrators)",
)
def indicator_values_post(
    request: AuthenticatedHttpRequest, body: PeriodValuesIn, dry_run: bool = False
):
    """Rows as ``import_indicator_values`` reads them (unit_code, indicator_code,
    value [numerator, denominator]); the period is given once for the batch."""
    if not is_administrator(request.user):
        raise PermissionDenied
    rows = [
        {k: v for k, v in row.items() if k not in ("period", "统计期间")}
        if isinstance(row, dict)
        else row
        for row in body.rows
    ]
    summary = run_rows(
        "indicator_values",
        rows,
        user=request.user,
        dry_run=dry_run,
        fixed={"period": body.period},
    )
    status = 201 if summary.created and not dry_run else 200
    return status, summary.as_dict(changes=True)


@router.get("/gaps/", summary="The stored gap analysis of a period, in scope")
def gaps(request: AuthenticatedHttpRequest, period: str | None = None):
    """The snapshot the insights pages read (the latest without ``period``), cut to
    the token user's units; province-wide correlations as computed."""
    if not can_view_insights(request.user):
        raise PermissionDenied
    scoped = snapshot_for(request.user, period)
    if scoped is None:
        raise Http404
    payload = scoped.snapshot.payload
    return {
        "period": scoped.period,
        "computed_at": scoped.snapshot.computed_at.isoformat(),
        "correlations": payload.get("correlations", []),
        "gaps": scoped.cells,
    }
