"""Insights pages: heatmap, scatter, ranked gaps, unit page, exports, campaign action.

Every view reads a stored snapshot through ``insights.selectors.snapshot_for``, which
drops the units (and rows) outside the reader's scope before anything is rendered.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisation.selectors import unit_get_visible
from organisation.tabular import csv_rows, write_xlsx

from . import permissions, selectors

TIER_LABELS = {
    "upper": ("Upper reach", "badge-ok"),
    "middle": ("Middle reach", "badge-warn"),
    "lower": ("Lower reach", "badge-bad"),
}
TIER_NUMBER = {"lower": 0, "middle": 1, "upper": 2}
GAP_LIST_SIZE = 20


def _require_viewer(request) -> None:
    if not permissions.can_view_insights(request.user):
        raise PermissionDenied


def _when(value) -> str:
    value = timezone.localtime(value)
    if (get_language() or "").startswith("zh"):
        return date_format(value, "Y年n月j日 H:i")
    return date_format(value, "N j, Y H:i")


def _tier_label(tier: str | None) -> tuple[str, str]:
    label, css = TIER_LABELS.get(tier or "", ("—", ""))
    return (_(label) if label != "—" else label), css


def _value_text(value, ratio: bool) -> str:
    if value is None:
        return "—"
    if ratio:
        return f"1:{value:.2f}"
    return f"{value * 100:.1f}%"


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _indicator_name(meta: dict) -> str:
    if not (get_language() or "").startswith("zh") and meta.get("name_en"):
        return meta["name_en"]
    return meta.get("name", "")


def _row(cell: dict, scoped: selectors.ScopedSnapshot, courses: dict) -> dict:
    unit = scoped.units[cell["unit_code"]]
    indicator = scoped.indicators.get(cell["indicator_code"], {})
    ratio = indicator.get("ratio", False)
    tier_label, tier_css = _tier_label(cell["tier"])
    return {
        **cell,
        "unit_name": unit["name"],
        "indicator_name": _indicator_name(indicator),
        "value_text": _value_text(cell["value"], ratio),
        "avg_text": _value_text(cell["province_avg"], ratio),
        "tier_label": tier_label,
        "tier_css": tier_css,
        "standing_text": "—" if cell["standing"] is None else f"{cell['standing']:.2f}",
        "mastery_text": _pct(cell["mastery"]),
        "completion_text": _pct(cell["completion_rate"]),
        "courses": [(c, courses.get(c, c)) for c in cell["recommended_courses"]],
        "remediate_count": len(cell["staff_to_remediate"]),
    }


def _heatmap(scoped: selectors.ScopedSnapshot) -> dict:
    units = sorted(scoped.units, key=lambda code: scoped.units[code]["path"])
    indicators = sorted({c["indicator_code"] for c in scoped.cells})
    ux = {code: i for i, code in enumerate(units)}
    ix = {code: i for i, code in enumerate(indicators)}
    data = [
        [
            ix[c["indicator_code"]],
            ux[c["unit_code"]],
            TIER_NUMBER.get(c["tier"], 1),
            c["mastery"],
            c["standing"],
        ]
        for c in scoped.cells
    ]
    return {
        "units": [scoped.units[u]["name"] for u in units],
        "unitCodes": units,
        "indicators": [
            _indicator_name(scoped.indicators.get(i, {})) for i in indicators
        ],
        "data": data,
        "tiers": [_("Lower reach"), _("Middle reach"), _("Upper reach")],
        "masteryLabel": _("mastery"),
        "standingLabel": _("standing"),
    }


def _scatter(scoped, indicator_code: str, correlations: list[dict]) -> dict:
    points = [c for c in scoped.cells if c["indicator_code"] == indicator_code]
    rho = {
        c["metric"]: c for c in correlations if c["indicator_code"] == indicator_code
    }
    return {
        "mastery": [
            [c["mastery"], c["standing"], scoped.units[c["unit_code"]]["name"]]
            for c in points
            if c["mastery"] is not None
        ],
        "completion": [
            [c["completion_rate"], c["standing"], scoped.units[c["unit_code"]]["name"]]
            for c in points
            if c["completion_rate"] is not None
        ],
        "labels": {
            "mastery": _("Mastery"),
            "completion": _("Completion rate"),
            "standing": _("Standing (0 worst, 1 best)"),
        },
        "rho": rho,
    }


@login_required
def index(request):
    _require_viewer(request)
    periods = selectors.snapshot_periods()
    scoped = selectors.snapshot_for(request.user, request.GET.get("period") or None)
    context = {"periods": periods, "scoped": scoped}
    if scoped is None:
        return render(request, "insights/index.html", context)
    payload = scoped.snapshot.payload
    courses = payload.get("courses", {})
    gaps = [c for c in scoped.cells if (c["priority"] or 0) > 0]
    show_all = request.GET.get("all") == "1"
    gap_rows = [
        _row(c, scoped, courses) for c in gaps[: None if show_all else GAP_LIST_SIZE]
    ]
    indicator_codes = sorted({c["indicator_code"] for c in scoped.cells})
    chosen = request.GET.get("indicator")
    if chosen not in indicator_codes:
        chosen = gaps[0]["indicator_code"] if gaps else (indicator_codes or [None])[0]
    correlations = payload.get("correlations", [])
    corr_rows = [
        {
            **c,
            "indicator_name": _indicator_name(
                scoped.indicators.get(c["indicator_code"], {})
            ),
            "metric_label": _("Mastery")
            if c["metric"] == "mastery"
            else _("Completion rate"),
        }
        for c in correlations
        if c["rho"] is not None
    ]
    corr_rows.sort(key=lambda c: (c["p_value"], c["indicator_code"]))
    context.update(
        {
            "period": scoped.period,
            "computed_at": _when(scoped.snapshot.computed_at),
            "gap_rows": gap_rows,
            "gap_total": len(gaps),
            "show_all": show_all,
            "heatmap": _heatmap(scoped),
            "scatter": _scatter(scoped, chosen, correlations),
            "indicator_choices": [
                (code, _indicator_name(scoped.indicators.get(code, {})))
                for code in indicator_codes
            ],
            "chosen": chosen,
            "correlations": corr_rows,
            "did": [
                {
                    **d,
                    "indicator_name": _indicator_name(
                        scoped.indicators.get(d["indicator_code"], {})
                    ),
                }
                for d in payload.get("did", [])
            ],
            "units": sorted(scoped.units.items(), key=lambda kv: kv[1]["path"]),
            "method": payload.get("method", {}),
            "can_create_campaign": permissions.can_create_gap_campaign(request.user),
            "latest_run": selectors.latest_run(),
        }
    )
    return render(request, "insights/index.html", context)


@login_required
def unit_detail(request, code: str):
    _require_viewer(request)
    unit = unit_get_visible(request.user, code=code)
    scoped = selectors.snapshot_for(request.user, request.GET.get("period") or None)
    context = {"unit": unit, "scoped": scoped, "periods": selectors.snapshot_periods()}
    if scoped is not None and unit.code in scoped.units:
        payload = scoped.snapshot.payload
        courses = payload.get("courses", {})
        rows = [
            _row(c, scoped, courses)
            for c in scoped.cells
            if c["unit_code"] == unit.code
        ]
        rows.sort(key=lambda r: (-(r["priority"] or 0), r["indicator_code"]))
        history = selectors.unit_history_for(
            request.user, code=unit.code, snapshot=scoped.snapshot
        )
        priority = {r["indicator_code"]: r["priority"] or 0 for r in rows}
        lacking: dict[str, dict] = {}
        for row in sorted(rows, key=lambda r: -(r["priority"] or 0)):
            for course_code, title in row["courses"]:
                entry = lacking.setdefault(
                    course_code, {"code": course_code, "title": title, "indicators": []}
                )
                entry["indicators"].append(row["indicator_name"])
        context.update(
            {
                "period": scoped.period,
                "computed_at": _when(scoped.snapshot.computed_at),
                "rows": rows,
                "lacking": list(lacking.values()),
                "trend": {
                    "series": [
                        {
                            "name": _indicator_name(scoped.indicators.get(i, {})),
                            "data": [[p[0], p[2]] for p in points],
                        }
                        for i, points in sorted(
                            history.items(), key=lambda kv: -priority.get(kv[0], 0)
                        )
                    ],
                    "periods": sorted({p[0] for pts in history.values() for p in pts}),
                    "standingLabel": _("Standing (0 worst, 1 best)"),
                },
                "history": [
                    {
                        "indicator_name": _indicator_name(scoped.indicators.get(i, {})),
                        "points": [
                            {
                                "period": p[0],
                                "value": _value_text(
                                    p[1],
                                    scoped.indicators.get(i, {}).get("ratio", False),
                                ),
                                "tier_label": _tier_label(p[3])[0],
                                "tier_css": _tier_label(p[3])[1],
                            }
                            for p in points
                        ],
                    }
                    for i, points in sorted(history.items())
                ],
                "method": payload.get("method", {}),
            }
        )
    return render(request, "insights/unit.html", context)


EXPORT_HEADERS = [
    ("unit_code", "Unit code"),
    ("unit_name", "Unit"),
    ("indicator_code", "Indicator code"),
    ("indicator_name", "Indicator"),
    ("value", "Value"),
    ("province_avg", "Average of same-level units"),
    ("tier", "Tier"),
    ("standing", "Standing"),
    ("mastery", "Mastery"),
    ("completion_rate", "Completion rate"),
    ("priority", "Priority"),
    ("recommended_courses", "Recommended courses"),
    ("staff_to_remediate", "Staff to remediate"),
]


def _export_rows(scoped):
    for cell in scoped.cells:
        row = {
            **cell,
            "unit_name": scoped.units[cell["unit_code"]]["name"],
            "indicator_name": scoped.indicators.get(cell["indicator_code"], {}).get(
                "name", ""
            ),
            "tier": _tier_label(cell["tier"])[0],
            "recommended_courses": ";".join(cell["recommended_courses"]),
            "staff_to_remediate": ";".join(cell["staff_to_remediate"]),
        }
        yield [row[key] for key, _label in EXPORT_HEADERS]


@login_required
def export(request, fmt: str):
    _require_viewer(request)
    if fmt not in ("csv", "xlsx"):
        raise PermissionDenied
    scoped = selectors.snapshot_for(request.user, request.GET.get("period") or None)
    if scoped is None:
        messages.error(request, _("There is no analysis to export yet."))
        return redirect("insights:index")
    headers = [_(label) for _key, label in EXPORT_HEADERS]
    name = f"capability-gaps-{scoped.period}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_rows(headers, _export_rows(scoped)),
            content_type="text/csv; charset=utf-8",
        )
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, headers, _export_rows(scoped), title=scoped.period)
        response = HttpResponse(
            buffer.getvalue(),
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def gap_campaign(request):
    if not permissions.can_create_gap_campaign(request.user):
        raise PermissionDenied
    from . import services  # pandas and scipy load only when a campaign is made

    period = request.POST.get("period", "")
    try:
        campaign = services.gap_campaign_create(
            user=request.user,
            period=period,
            unit_code=request.POST.get("unit_code", ""),
            indicator_code=request.POST.get("indicator_code", ""),
        )
    except services.InsightsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Campaign %(code)s created for this gap.") % {"code": campaign.code},
        )
    url = redirect("insights:index").url
    return redirect(f"{url}?period={period}" if period else url)
