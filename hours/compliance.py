"""Judging one person's hours against the rules in force: pure functions, no queries.

Guarantees, for a report year Y read on ``as_of``:
- a periodic rule of window N years counts the hours dated from 1 January of Y−N+1
  to the earlier of ``as_of`` and 31 December of Y (hours six years back never count);
- a person who joined inside a window owes the share of whole months from the month
  they joined to the end of Y (joined in July of Y, yearly rule: 6/12);
- an event rule (promotion, appointment) is judged in the year its deadline falls,
  against centralised hours between the event and the deadline;
- an exemption that overlaps Y excuses the requirements of its kind (or all);
- ``met`` when every requirement that applies and is not excused is met, ``exempt``
  when every one is excused, ``not_met`` otherwise.
A person without a rank category is judged as ``general`` (the larger group).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import Kind, Requirement

ONE_PLACE = Decimal("0.1")
ZERO = Decimal(0)
KINDS = tuple(Kind.values)


@dataclass(frozen=True)
class Rule:
    kind: str
    rank_category: str
    trigger: str
    required: Decimal
    window_years: int
    within_months: int


@dataclass(frozen=True)
class Event:
    trigger: str
    on: dt.date


@dataclass
class Line:
    """One requirement as it applies to one person in one year."""

    kind: str
    trigger: str
    required: Decimal
    hours: Decimal
    window: tuple[int, int] | None = None
    event_on: dt.date | None = None
    due_on: dt.date | None = None
    exempt: bool = False

    @property
    def met(self) -> bool:
        return self.hours >= self.required

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(100 * self.hours / self.required))


@dataclass
class Standing:
    status: str
    lines: list[Line] = field(default_factory=list)

    def periodic(self, kind: str) -> Line | None:
        return next(
            (x for x in self.lines if x.kind == kind and not x.trigger),
            None,
        )


def rule_from(requirement: Requirement) -> Rule:
    return Rule(
        kind=requirement.kind,
        rank_category=requirement.rank_category,
        trigger=requirement.trigger,
        required=requirement.required_hours,
        window_years=requirement.window_years,
        within_months=requirement.within_months,
    )


def rules_in_force(requirements: list[Requirement], on: dt.date) -> list[Rule]:
    """Of each (kind, rank category, trigger), the newest row in force on ``on``."""
    newest: dict[tuple, Requirement] = {}
    for r in requirements:
        if r.valid_from > on:
            continue
        key = (r.kind, r.rank_category, r.trigger)
        if key not in newest or r.valid_from > newest[key].valid_from:
            newest[key] = r
    return [rule_from(r) for r in newest.values() if r.active]


def periodic_rules(rules: list[Rule], rank_category: str) -> list[Rule]:
    """The periodic rules for a rank category: its own, else the one for everyone."""
    rank = rank_category or "general"
    chosen: dict[str, Rule] = {}
    for rule in rules:
        if rule.trigger:
            continue
        if rule.rank_category == rank or (
            rule.rank_category == "" and rule.kind not in chosen
        ):
            chosen[rule.kind] = rule
    return [chosen[k] for k in KINDS if k in chosen]


def window_of(rule: Rule, year: int) -> tuple[int, int]:
    return (year - rule.window_years + 1, year)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, last[month - 1]))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def event_due(rule: Rule, on: dt.date) -> dt.date:
    """The last day of an event rule's period (within 12 months of 2026-03-01: 2027-02-28)."""
    return add_months(on, rule.within_months) - dt.timedelta(days=1)


def owed_share(*, window: tuple[int, int], hired_on: dt.date | None) -> tuple[int, int]:
    """(months owed, months in window): whole months from the joining month."""
    first, last = window
    total = 12 * (last - first + 1)
    if hired_on is None or hired_on.year < first:
        return total, total
    joined = (hired_on.year - first) * 12 + hired_on.month - 1
    return max(0, total - joined), total


def round_hours(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def required_for(rule: Rule, year: int, hired_on: dt.date | None) -> Decimal:
    owed, total = owed_share(window=window_of(rule, year), hired_on=hired_on)
    return round_hours(rule.required * owed / total)


def exempt_kinds(exemptions: list[tuple[str, dt.date, dt.date]], year: int) -> set[str]:
    """Kinds excused in ``year`` by (kind or "", starts_on, ends_on) exemptions."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    kinds: set[str] = set()
    for kind, starts_on, ends_on in exemptions:
        if starts_on <= last and ends_on >= first:
            kinds |= {kind} if kind else set(KINDS)
    return kinds


def judge(
    *,
    year: int,
    rules: list[Rule],
    rank_category: str,
    hired_on: dt.date | None,
    window_hours: dict[tuple[str, int], Decimal],
    exempt: set[str],
    events: list[tuple[Event, Rule, Decimal]] = (),
) -> Standing:
    """The standing of one person; ``window_hours`` holds the hours of each
    (kind, window years) and ``events`` each event judged this year, with its rule
    and the hours of the rule's kind between the event and its deadline."""
    lines = []
    for rule in periodic_rules(rules, rank_category):
        lines.append(
            Line(
                kind=rule.kind,
                trigger="",
                required=required_for(rule, year, hired_on),
                hours=window_hours.get((rule.kind, rule.window_years), ZERO),
                window=window_of(rule, year),
                exempt=rule.kind in exempt,
            )
        )
    for event, rule, hours in events:
        lines.append(
            Line(
                kind=rule.kind,
                trigger=rule.trigger,
                required=rule.required,
                hours=hours,
                event_on=event.on,
                due_on=event_due(rule, event.on),
                exempt=rule.kind in exempt,
            )
        )
    counted = [x for x in lines if not x.exempt]
    if lines and not counted:
        status = "exempt"
    elif all(x.met for x in counted):
        status = "met"
    else:
        status = "not_met"
    return Standing(status=status, lines=lines)


def events_due_in(
    rules: list[Rule], events: list[Event], year: int
) -> list[tuple[Event, Rule, dt.date]]:
    """The events whose deadline falls in ``year``, with their rule and deadline."""
    due = []
    for event in events:
        for rule in rules:
            if rule.trigger == event.trigger:
                deadline = event_due(rule, event.on)
                if deadline.year == year:
                    due.append((event, rule, deadline))
    return due


class YearJudge:
    """``judge`` for the many people of a report who have no event and no exemption
    this year: the rules of each rank and the share owed for each joining month are
    worked out once, not once per person. Gives the same figures as ``judge``."""

    def __init__(self, rules: list[Rule], year: int):
        self.year = year
        # Per rank: (kind, ledger key, rule number, first year, full requirement).
        self.plans: dict[str, list[tuple]] = {}
        self._rules: list[Rule] = []
        for rank in ("general", "leading"):
            plan = []
            for rule in periodic_rules(rules, rank):
                self._rules.append(rule)
                first = year - rule.window_years + 1
                plan.append(
                    (
                        str(rule.kind),
                        (str(rule.kind), rule.window_years),
                        len(self._rules) - 1,
                        first,
                        required_for(rule, year, None),
                        [first, year],
                    )
                )
            self.plans[rank] = plan
        self._required: dict[int, Decimal] = {}

    def lines(
        self, rank_category: str, hired_on: dt.date | None, window_hours: dict
    ) -> tuple[str, dict[str, tuple]]:
        """(status, {kind: (hours, required, window)}) for the periodic rules."""
        out, met = {}, True
        for kind, key, number, first, full, window in self.plans[
            rank_category or "general"
        ]:
            hours = window_hours.get(key, ZERO)
            required = full
            if hired_on is not None and hired_on.year >= first:
                cache = (number * 10000 + hired_on.year) * 100 + hired_on.month
                required = self._required.get(cache)
                if required is None:
                    required = self._required[cache] = required_for(
                        self._rules[number], self.year, hired_on
                    )
            if hours < required:
                met = False
            out[kind] = (hours, required, window)
        return ("met" if met else "not_met"), out
