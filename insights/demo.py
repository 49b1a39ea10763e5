"""Demo indicator data: an edition, four quarters of values for every city and grassroots
procuratorate, then the snapshots (idempotent: fixed seed, upsert by key).

Values are built around the national reference values of the domain notes and move
with each unit's training signal (mastery and completion from the assessment and
learning demos) plus noise, so the analysis finds associations without every unit
lining up. G0301 and G0402, which the assessment demo makes weak on 案-件比 questions,
get clearly worse criminal 案-件比 values; G0203 lags on the pre-charge detention rate.
"""

from __future__ import annotations

import random

from organisation.importing import run_import
from organisation.models import Indicator, Unit
from organisation.tabular import Table

from . import analytics, selectors
from .models import GapSnapshot, IndicatorEdition, IndicatorValue
from .periods import period_parse
from .services import indicator_values_import, snapshots_run

PERIODS = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]

# (typical value, spread across units). Rates are fractions; 案-件比 is x of 1:x.
REFERENCE = {
    "case_ratio_criminal": (1.42, 0.10),
    "case_ratio_ordinary": (1.38, 0.10),
    "case_ratio_serious": (1.55, 0.12),
    "case_ratio_duty": (1.60, 0.12),
    "case_ratio_economic": (1.50, 0.12),
    "case_ratio_civil": (1.25, 0.08),
    "case_ratio_admin": (1.28, 0.08),
    "case_ratio_pil": (1.20, 0.07),
    "case_ratio_complaint": (1.35, 0.10),
    "non_arrest_rate": (0.381, 0.06),
    "non_arrest_non_pros_review_change_rate": (0.05, 0.02),
    "non_prosecution_rate": (0.201, 0.05),
    "post_arrest_non_pros_rate": (0.04, 0.015),
    "post_arrest_exemption_rate": (0.01, 0.005),
    "pretrial_detention_rate": (0.427, 0.06),
    "plea_leniency_rate": (0.86, 0.05),
    "fixed_term_proposal_rate": (0.90, 0.04),
    "sentencing_proposal_adoption_rate": (0.95, 0.025),
    "plea_appeal_rate": (0.035, 0.012),
    "withdrawal_of_prosecution_rate": (0.006, 0.003),
    "acquittal_rate": (0.002, 0.0015),
    "supplementary_investigation_rate": (0.08, 0.03),
    "case_filing_supervision_rate": (0.65, 0.10),
    "investigation_violation_supervision_rate": (0.12, 0.04),
    "investigation_correction_adoption_rate": (0.90, 0.05),
    "criminal_protest_change_rate": (0.799, 0.08),
    "missed_arrest_pros_correction_rate": (0.08, 0.03),
    "money_laundering_ratio": (0.05, 0.02),
    "sentence_change_supervision_adoption_rate": (0.92, 0.04),
    "direct_investigation_conviction_rate": (0.97, 0.02),
    "civil_protest_change_rate": (0.91, 0.05),
    "civil_retrial_suggestion_adoption_rate": (0.966, 0.02),
    "civil_enforcement_suggestion_adoption_rate": (0.719, 0.08),
    "admin_judgment_supervision_change_rate": (0.747, 0.08),
    "admin_dispute_resolution_rate": (0.45, 0.10),
    "pil_prelitigation_rectification_rate": (0.991, 0.006),
    "pil_litigation_support_rate": (0.995, 0.004),
    "conditional_non_prosecution_rate": (0.30, 0.08),
    "criminal_petition_correction_rate": (0.03, 0.012),
    "petition_7day_response_rate": (0.98, 0.015),
}
# (unit, indicator) → how many spreads worse than its signal says, per quarter.
PLANTED = {
    ("G0301", "case_ratio_criminal"): [2.6, 2.9, 3.1, 3.4],
    ("G0402", "case_ratio_criminal"): [2.4, 2.6, 3.0, 3.2],
    ("G0203", "pretrial_detention_rate"): [1.8, 2.0, 2.2, 2.4],
}


def _signals(codes: list[str]) -> dict[tuple[str, str], float]:
    period = period_parse(PERIODS[-1])
    a = analytics
    df = a.capability(
        a.frame(selectors.staff_records(), a.STAFF_COLUMNS),
        a.frame(selectors.completion_records(until=period.end), a.COMPLETION_COLUMNS),
        a.frame(selectors.course_indicator_records(), a.COURSE_INDICATOR_COLUMNS),
        a.frame(selectors.response_records(until=period.end), a.RESPONSE_COLUMNS),
        a.frame(selectors.question_indicator_records(), a.QUESTION_INDICATOR_COLUMNS),
        codes,
    )
    return {
        (u, i): float(s)
        for u, i, s in df.itertuples(index=False, name=None)  # noqa: B905
    }


def _format(code: str, value: float) -> str:
    if selectors.is_ratio_indicator(code):
        return f"1:{max(value, 1.0):.2f}"
    return f"{min(max(value, 0.0), 1.0):.4f}"


def value_rows() -> list[dict]:
    rng = random.Random(20241001)
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    codes = [c for c in REFERENCE if c in indicators]
    signals = _signals(codes)
    grassroots = list(
        Unit.objects.filter(level=Unit.Level.GRASSROOTS)
        .order_by("code")
        .values_list("code", "parent__code")
    )
    cities = sorted({city for _code, city in grassroots})
    rows = []
    for code in codes:
        base, spread = REFERENCE[code]
        direction = indicators[code].direction
        # +1: a higher value is better; range indicators move toward the band's middle.
        sign = {"higher_better": 1, "lower_better": -1}.get(direction, 0)
        general = {u: rng.gauss(0, 0.4) for u, _c in grassroots}
        for q, period in enumerate(PERIODS):
            by_city: dict[str, list[float]] = {}
            drift = rng.gauss(0, 0.15)
            for unit, city in grassroots:
                quality = (
                    0.9 * signals.get((unit, code), 0.0)
                    + general[unit]
                    + rng.gauss(0, 0.55)
                    + drift
                )
                quality -= PLANTED.get((unit, code), [0, 0, 0, 0])[q]
                if sign:
                    value = base + sign * spread * quality
                else:
                    # Range: good units sit near the middle of the band, weak ones
                    # drift above it.
                    value = (
                        base + spread * max(0.0, -quality) + rng.gauss(0, spread / 3)
                    )
                by_city.setdefault(city, []).append(value)
                rows.append(
                    {
                        "unit_code": unit,
                        "indicator_code": code,
                        "period": period,
                        "value": _format(code, value),
                    }
                )
            for city in cities:
                values = by_city.get(city, [base])
                value = sum(values) / len(values) + rng.gauss(0, spread / 4)
                rows.append(
                    {
                        "unit_code": city,
                        "indicator_code": code,
                        "period": period,
                        "value": _format(code, value),
                    }
                )
    return rows


def seed(*, stdout=None) -> None:
    edition, _created = IndicatorEdition.objects.get_or_create(
        code="2024",
        defaults={"name": "2024年修订版（演示）", "valid_from": 2024, "valid_to": None},
    )
    edition.indicators.add(*Indicator.objects.filter(active=True))
    rows = value_rows()
    if not rows:
        return
    table = Table(
        headers=list(rows[0]),
        rows=[(n, r) for n, r in enumerate(rows, start=2)],
    )
    summary = run_import(indicator_values_import, table=table)
    if summary.created or summary.updated or not GapSnapshot.objects.exists():
        # The importer queues a recomputation on commit; the demo computes at once so
        # that the pages have snapshots even when a real worker is configured.
        from .models import AnalysisRun

        snapshots_run(AnalysisRun.objects.create(periods=PERIODS))
    if stdout:
        stdout.write(
            f"insights: {IndicatorValue.objects.count()} indicator values, "
            f"{GapSnapshot.objects.count()} snapshots"
        )
