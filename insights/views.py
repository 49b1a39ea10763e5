"""Insights pages: training needs, heatmap, associations, unit page, exports, campaign
action. No page or export shows a unit's position or a person's score.

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
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisation.selectors import unit_get_visible
from organisation.tabular import csv_rows, write_xlsx

from . import permissions, selectors

# The comparison of a value with the average of units of the same level, in words:
# the raw direction (above/below), with the indicator's direction said beside it.
BAND_WORDS = {
    "above": (gettext_lazy("Above the same-level average"), "badge-neutral"),
    "near": (gettext_lazy("Close to the same-level average"), "badge-neutral"),
    "below": (gettext_lazy("Below the same-level average"), "badge-neutral"),
    "within": (gettext_lazy("Within the reasonable range"), "badge-ok"),
    "near_target": (gettext_lazy("Close to the reasonable range"), "badge-warn"),
    "outside": (gettext_lazy("Outside the reasonable range"), "badge-bad"),
}
DIRECTION_HINTS = {
    "lower_better": gettext_lazy("lower is better"),
    "higher_better": gettext_lazy("higher is better"),
    "range": gettext_lazy("best within a reasonable range"),
}
# The colour of a heatmap cell: better / close / worse than the same-level average,
# after the indicator's direction (tier 2 / 1 / 0).
TIER_NUMBER = {"lower": 0, "middle": 1, "upper": 2}
TIER_WORDS = {
    "lower": gettext_lazy("Weaker than the same-level average"),
    "middle": gettext_lazy("Close to the same-level average"),
    "upper": gettext_lazy("Better than the same-level average"),
}
REMEDY_TEXT = {
    "assign_course": gettext_lazy("Assign the course to those who have not taken it"),
    "refresher": gettext_lazy(
        "Refresher and practice; trainers are asked to review the course, which "
        "may not be working"
    ),
    "build_course": gettext_lazy(
        "Ask the trainers to build a course on this indicator"
    ),
    "assess": gettext_lazy(
        "Run a short test first: too few people have answered questions"
    ),
    "none": gettext_lazy("No training need shown"),
}
# For indicators where units are off but their mastery is not known yet.
UNKNOWN_TEXT = {
    "build_course": gettext_lazy(
        "No course or too few answers yet: ask the trainers to build a course and "
        "questions on this indicator"
    ),
    "assess": gettext_lazy(
        "Too few people have answered questions on it: run a short test first"
    ),
}
# The first view shows the highest priorities; the rest are one link away.
GAP_LIST_SIZE = 10


def _require_viewer(request) -> None:
    if not permissions.can_view_insights(request.user):
        raise PermissionDenied


def _when(value) -> str:
    value = timezone.localtime(value)
    if (get_language() or "").startswith("zh"):
        return date_format(value, "Y年n月j日 H:i")
    return date_format(value, "N j, Y H:i")


def _band_text(cell: dict, indicator: dict) -> tuple[str, str]:
    label, css = BAND_WORDS.get(cell.get("band") or "", ("—", ""))
    return str(label), css


def _tier_text(tier: str | None) -> str:
    return str(TIER_WORDS.get(tier or "", "—"))


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


def _priority_word(priority) -> str:
    if not priority:
        return "—"
    if priority >= 50:
        return _("High")
    if priority >= 20:
        return _("Medium")
    return _("Low")


def _row(cell: dict, scoped: selectors.ScopedSnapshot, courses: dict) -> dict:
    unit = scoped.units[cell["unit_code"]]
    indicator = scoped.indicators.get(cell["indicator_code"], {})
    ratio = indicator.get("ratio", False)
    band_label, band_css = _band_text(cell, indicator)
    remedy = cell.get("remedy") or "none"
    return {
        **cell,
        "unit_name": unit["name"],
        "indicator_name": _indicator_name(indicator),
        "value_text": _value_text(cell["value"], ratio),
        "avg_text": _value_text(cell["province_avg"], ratio),
        "band_label": band_label,
        "band_css": band_css,
        "direction_hint": str(DIRECTION_HINTS.get(indicator.get("direction"), "")),
        "mastery_text": _pct(cell["mastery"]),
        "completion_text": _pct(cell["completion_rate"]),
        "priority_word": _priority_word(cell["priority"]),
        "remedy_text": str(
            UNKNOWN_TEXT.get(remedy, "")
            if cell["mastery"] is None and remedy in UNKNOWN_TEXT
            else REMEDY_TEXT.get(remedy, "")
        ),
        "courses": [(c, courses.get(c, c)) for c in cell["recommended_courses"]],
        "remediate_count": len(cell["staff_to_remediate"]),
        "gaming_caution": indicator.get("gaming_caution", ""),
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
            c["completion_rate"],
        ]
        for c in scoped.cells
    ]
    # The tooltip's fifth figure is the completion rate (under the label the chart
    # script calls standingLabel): no unit's position is drawn anywhere.
    return {
        "units": [scoped.units[u]["name"] for u in units],
        "unitCodes": units,
        "indicators": [
            _indicator_name(scoped.indicators.get(i, {})) for i in indicators
        ],
        "data": data,
        "tiers": [str(TIER_WORDS[t]) for t in ("lower", "middle", "upper")],
        "masteryLabel": _("mastery"),
        "standingLabel": _("completion rate"),
    }


def _association_text(row: dict) -> str:
    """A correlation in plain words: its sign only when the interval excludes 0."""
    low, high = row.get("ci_low"), row.get("ci_high")
    mastery = row["metric"] == "mastery"
    if low is not None and low > 0:
        if mastery:
            return _(
                "Units with higher mastery tend to do better on this indicator "
                "(an association, not a cause)."
            )
        return _(
            "Units where more staff completed the courses tend to do better on this "
            "indicator (an association, not a cause)."
        )
    if high is not None and high < 0:
        if mastery:
            return _(
                "Units with higher mastery tend to do worse on this indicator (an "
                "association, not a cause): worth checking the questions and how the "
                "indicator is counted."
            )
        return _(
            "Units where more staff completed the courses tend to do worse on this "
            "indicator (an association, not a cause): worth checking what the "
            "courses teach."
        )
    if mastery:
        return _("No clear association between mastery and this indicator.")
    return _("No clear association between course completion and this indicator.")


def _did_text(row: dict) -> str:
    if row.get("ci_low") is not None and row["ci_low"] > 0:
        return _(
            "Units reached by a training campaign improved more afterwards than the "
            "others (for reference only, not proof of an effect)."
        )
    if row.get("ci_high") is not None and row["ci_high"] < 0:
        return _(
            "Units reached by a training campaign improved less afterwards than the "
            "others (for reference only)."
        )
    return _("No clear difference after the campaigns (for reference only).")


def _named(scoped, rows: list[dict]) -> list[dict]:
    return [
        {
            **r,
            "indicator_name": _indicator_name(
                scoped.indicators.get(r["indicator_code"], {})
            ),
        }
        for r in rows
    ]


def _needs(scoped: selectors.ScopedSnapshot) -> tuple[list[dict], dict]:
    """Cells with a training need and a mastery figure, and, by indicator, the units
    whose need cannot be judged yet (no mastery figure)."""
    needs: list[dict] = []
    unknown: dict[str, dict] = {}
    for c in scoped.cells:
        if (c.get("remedy") or "none") == "none":
            continue
        if c["mastery"] is not None:
            needs.append(c)
        else:
            entry = unknown.setdefault(
                c["indicator_code"], {"remedy": c["remedy"], "units": []}
            )
            entry["units"].append(scoped.units[c["unit_code"]]["name"])
    return needs, unknown


def _more_context(scoped: selectors.ScopedSnapshot) -> dict:
    """The parts of the page below the needs table: unknown mastery, heatmap,
    associations, change after campaigns. Served inline (``?full=1``) or as a
    fragment loaded when the reader scrolls to it, so the first view stays small."""
    payload = scoped.snapshot.payload
    _needs_rows, unknown = _needs(scoped)
    associations = []
    for c in _named(scoped, payload.get("correlations", [])):
        if c["rho"] is None:
            continue
        associations.append(
            {
                **c,
                "metric_label": _("Mastery")
                if c["metric"] == "mastery"
                else _("Completion rate"),
                "text": _association_text(c),
            }
        )
    associations.sort(key=lambda c: (c["indicator_name"], c["metric"]))
    did = [{**d, "text": _did_text(d)} for d in _named(scoped, payload.get("did", []))]
    return {
        "period": scoped.period,
        "unknown": [
            {
                "indicator_name": _indicator_name(scoped.indicators.get(code, {})),
                "remedy_text": str(UNKNOWN_TEXT.get(entry["remedy"], "")),
                "units": entry["units"],
            }
            for code, entry in sorted(unknown.items())
        ],
        "heatmap": _heatmap(scoped),
        "associations": associations,
        "did": did,
        "units": sorted(scoped.units.items(), key=lambda kv: kv[1]["path"]),
    }


@login_required
def index(request):
    _require_viewer(request)
    periods = selectors.snapshot_periods()
    scoped = selectors.snapshot_for(request.user, request.GET.get("period") or None)
    context: dict = {"periods": periods, "scoped": scoped}
    if scoped is None:
        return render(request, "insights/index.html", context)
    payload = scoped.snapshot.payload
    courses = payload.get("courses", {})
    needs, _unknown = _needs(scoped)
    show_all = request.GET.get("all") == "1"
    need_rows = [
        _row(c, scoped, courses) for c in needs[: None if show_all else GAP_LIST_SIZE]
    ]
    context.update(
        {
            "period": scoped.period,
            "computed_at": _when(scoped.snapshot.computed_at),
            "need_rows": need_rows,
            "need_total": len(needs),
            "show_all": show_all,
            "full": request.GET.get("full") == "1",
            "method": payload.get("method", {}),
            "can_create_campaign": permissions.can_create_gap_campaign(request.user),
            "latest_run": selectors.latest_run(),
        }
    )
    if context["full"]:
        context.update(_more_context(scoped))
    return render(request, "insights/index.html", context)


@login_required
def more(request):
    """The lower half of the insights page as an HTML fragment, for the same reader,
    period and scope as the page."""
    _require_viewer(request)
    scoped = selectors.snapshot_for(request.user, request.GET.get("period") or None)
    if scoped is None:
        return HttpResponse("")
    return render(request, "insights/_more.html", _more_context(scoped))


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
        names = selectors.staff_names_for(
            request.user,
            staff_nos={n for r in rows for n in r["staff_to_remediate"]},
        )
        for r in rows:
            r["people_to_train"] = [
                (n, names.get(n, "")) for n in r["staff_to_remediate"]
            ]
        needs = [r for r in rows if (r.get("remedy") or "none") != "none"]
        history = selectors.unit_history_for(
            request.user, code=unit.code, snapshot=scoped.snapshot
        )
        context.update(
            {
                "period": scoped.period,  # type: ignore[dict-item]
                "computed_at": _when(scoped.snapshot.computed_at),  # type: ignore[dict-item]
                "rows": rows,  # type: ignore[dict-item]
                "needs": needs,  # type: ignore[dict-item]
                "history": [
                    {  # type: ignore[misc]
                        "indicator_name": _indicator_name(scoped.indicators.get(i, {})),
                        "points": [
                            {
                                "period": p[0],
                                "value": _value_text(
                                    p[1],
                                    scoped.indicators.get(i, {}).get("ratio", False),
                                ),
                                "comparison": _tier_text(p[3]),
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


# The export's columns: Chinese headings, indicators in their display form, the need
# and its remedy; never a unit's position or a person's score.
EXPORT_HEADERS = [
    ("unit_code", gettext_lazy("Unit code")),
    ("unit_name", gettext_lazy("Unit")),
    ("indicator_code", gettext_lazy("Indicator code")),
    ("indicator_name", gettext_lazy("Indicator")),
    ("value_text", gettext_lazy("Value")),
    ("avg_text", gettext_lazy("Average of same-level units")),
    ("band_label", gettext_lazy("Compared with the same-level average")),
    ("direction_hint", gettext_lazy("Direction")),
    ("mastery_text", gettext_lazy("Mastery")),
    ("completion_text", gettext_lazy("Completion rate")),
    ("priority_word", gettext_lazy("Priority")),
    ("remedy_text", gettext_lazy("Suggested action")),
    ("courses_text", gettext_lazy("Recommended courses")),
    ("gaming_caution", gettext_lazy("Caution")),
    ("staff_text", gettext_lazy("Staff to train (staff numbers)")),
]


def export_notes() -> list[str]:
    """The notes that head every page and export of the analysis."""
    return [
        _(
            "Internal self-diagnosis only. Since October 2024 the Supreme People's "
            "Procuratorate no longer ranks or publicly reports units by these "
            "indicators; this is a list of training needs, not a league table or an "
            "assessment."
        ),
        _(
            "Associations, not causes: mastery, training and indicator values moving "
            "together does not show that training changed the indicator."
        ),
    ]


def _export_rows(scoped):
    courses = scoped.snapshot.payload.get("courses", {})
    for cell in scoped.cells:
        row = _row(cell, scoped, courses)
        row["courses_text"] = "；".join(f"{c} {t}" for c, t in row["courses"])
        row["staff_text"] = "；".join(cell["staff_to_remediate"])
        yield [row[key] for key, _label in EXPORT_HEADERS]


def _with_notes(scoped, headers):
    """The notes, a blank line, then the table (notes fill the first column)."""
    width = len(headers)
    for note in export_notes():
        yield [note] + [""] * (width - 1)
    yield [""] * width
    yield headers
    yield from _export_rows(scoped)


@login_required
def export(request, fmt: str):
    _require_viewer(request)
    if fmt not in ("csv", "xlsx"):
        raise PermissionDenied
    scoped = selectors.snapshot_for(request.user, request.GET.get("period") or None)
    if scoped is None:
        messages.error(request, _("There is no analysis to export yet."))
        return redirect("insights:index")
    headers = [str(label) for _key, label in EXPORT_HEADERS]
    rows = _with_notes(scoped, headers)
    first = next(rows)
    name = f"training-needs-{scoped.period}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_rows(first, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, first, rows, title=scoped.period)
        response = HttpResponse(  # type: ignore[assignment]
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
    # The needs table posts one form: each row's button names its unit and indicator.
    unit_code, _sep, indicator_code = request.POST.get("gap", "").partition("|")
    try:
        campaign = services.gap_campaign_create(
            user=request.user,
            period=period,
            unit_code=unit_code or request.POST.get("unit_code", ""),
            indicator_code=indicator_code or request.POST.get("indicator_code", ""),
        )
    except services.InsightsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Training campaign %(code)s created for this need.")
            % {"code": campaign.code},
        )
    url = redirect("insights:index").url
    return redirect(f"{url}?period={period}" if period else url)
