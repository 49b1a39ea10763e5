"""Quarterly digests to unit leaders: who in their subtree is behind a pro-rata pace.

A person is behind when, for a requirement that applies and is not excused, their
hours are below the share of it that the elapsed whole months of its window call for
(end of March: 3/12 of a yearly requirement, 51/60 of a five-year one). Each leader
hears only of their own subtree; a leader with nobody behind gets no email.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from config.batch import BatchOutcome, run_isolated
from organisation.models import RoleAssignment, StaffProfile
from organisation.selectors import staff_in_unit

from . import compliance, selectors
from .compliance import Line


def _pace_share(line: Line, as_of: dt.date) -> Decimal:
    first, last = line.window
    total = 12 * (last - first + 1)
    elapsed = (as_of.year - first) * 12 + as_of.month
    return Decimal(min(elapsed, total)) / Decimal(total)


def behind_pace(*, unit, as_of: dt.date) -> list[dict]:
    """People of ``unit``'s subtree behind pace on any periodic requirement."""
    year = as_of.year
    rules = selectors.rules_for(year, as_of)
    roster = selectors.roster_for_year(staff_in_unit(unit), year)
    sums = selectors.ledger_sums(roster, year=year, as_of=as_of, rules=rules)
    behind = []
    for values in roster.order_by("unit__path", "staff_no").values(
        "id", "staff_no", "name", "rank_category", "hired_on"
    ):
        standing = compliance.judge(
            year=year,
            rules=rules,
            rank_category=values["rank_category"],
            hired_on=values["hired_on"],
            window_hours=sums.get(values["id"], {}),
            exempt=set(),
        )
        late = [
            x
            for x in standing.lines
            if x.window and x.hours < x.required * _pace_share(x, as_of)
        ]
        if late:
            behind.append({**values, "lines": late})
    exempt = selectors.exemptions_of([p["id"] for p in behind], year)
    return [
        p
        for p in behind
        if not {x.kind for x in p["lines"]}
        <= compliance.exempt_kinds(exempt.get(p["id"], []), year)
    ]


def _digest_one(assignment: RoleAssignment, as_of: dt.date, language: str) -> bool:
    profile = StaffProfile.objects.filter(user=assignment.user).first()
    address = (profile.email if profile else "") or assignment.user.email
    if not address:
        return False
    people = behind_pace(unit=assignment.unit, as_of=as_of)
    if not people:
        return False
    with translation.override(language):
        subject = _("%(unit)s: %(n)s people behind their training hours") % {
            "unit": assignment.unit.name,
            "n": len(people),
        }
        lines = [
            _(
                "These people have fewer training hours than the part of the year "
                "gone by calls for:"
            ),
            "",
        ]
        lines += [f"{p['name']}（{p['staff_no']}）" for p in people[:200]]
        if len(people) > 200:
            lines.append(_("… and %(n)s more.") % {"n": len(people) - 200})
        lines += ["", _("The full list is in the training hours report.")]
    send_mail(subject, "\n".join(lines), None, [address])
    return True


def hours_digests_send(*, as_of: dt.date, language: str = "zh-hans") -> BatchOutcome:
    """One digest per unit leader role; a failure for one leader does not stop others."""
    assignments = RoleAssignment.objects.filter(
        role=RoleAssignment.Role.UNIT_LEADER, unit__isnull=False
    ).select_related("user", "unit")
    return run_isolated(
        assignments,
        lambda a: _digest_one(a, as_of, language),
        what="hours digest",
        label=lambda a: a.pk,
    )
