"""Writing campaigns: creation, audience membership, exemptions and the two importers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.batch import run_isolated
from config.sql import insert_rows
from learning.models import CoursePage
from organisation.models import BusinessLine, StaffProfile, Unit
from organisation.validators import validate_code

from .models import Campaign, CampaignMember, Exemption, Notification
from .selectors import Rules, campaign_audience

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Progress = Callable[[int, int], None] | None


class CampaignError(Exception):
    """A campaign could not be written; the message is translated."""


def _check_dates(starts_on, due_on, due_days) -> None:
    if due_on is None and not due_days:
        raise CampaignError(
            _("Give a due date or a number of days after joining the audience.")
        )
    if due_on is not None and starts_on and due_on < starts_on:
        raise CampaignError(_("The due date is before the start date."))


@transaction.atomic
def campaign_create(
    *,
    code: str,
    title: str,
    courses: Iterable[CoursePage],
    units: Iterable[Unit] = (),
    business_lines: Iterable[BusinessLine] = (),
    positions: Iterable[str] = (),
    leaders_only: bool = False,
    starts_on: dt.date,
    due_on: dt.date | None = None,
    recurrence: str = "none",
    created_by: User | None = None,
    due_days: int | None = None,
) -> Campaign:
    """Create a campaign and record its current audience as members.

    Raises CampaignError for a taken code, no course, or impossible dates.
    """
    code = code.strip()
    courses = list(courses)
    if not code or not title.strip():
        raise CampaignError(_("A campaign needs a code and a title."))
    if not courses:
        raise CampaignError(_("A campaign needs at least one course."))
    try:
        validate_code(code)
    except ValidationError as exc:
        raise CampaignError(exc.messages[0]) from exc
    if Campaign.objects.filter(code=code).exists():
        raise CampaignError(_("A campaign with this code already exists."))
    _check_dates(starts_on, due_on, due_days)
    if recurrence not in Campaign.Recurrence.values:
        raise CampaignError(_("Recurrence must be none or annual."))
    campaign = Campaign.objects.create(
        code=code,
        title=title.strip(),
        positions=[p.strip() for p in positions if p.strip()],
        leaders_only=leaders_only,
        starts_on=starts_on,
        due_on=due_on,
        due_days=due_days if due_on is None else None,
        recurrence=recurrence,
        created_by=created_by,
    )
    campaign.courses.set(courses)
    campaign.units.set(list(units))
    campaign.business_lines.set(list(business_lines))
    campaign_sync_audience(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    courses: Iterable[CoursePage] | None = None,
    units: Iterable[Unit] | None = None,
    **fields: Any,
) -> Campaign:
    """Change a campaign's fields and rules, then bring its membership up to date."""
    lines = fields.pop("business_lines", None)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _check_dates(campaign.starts_on, campaign.due_on, campaign.due_days)
    if campaign.due_on is not None:
        campaign.due_days = None
    if courses is not None:
        courses = list(courses)
        if not courses:
            raise CampaignError(_("A campaign needs at least one course."))
        campaign.courses.set(courses)
    if units is not None:
        campaign.units.set(list(units))
    if lines is not None:
        campaign.business_lines.set(list(lines))
    campaign.save()
    campaign._rules_cache = None  # type: ignore[attr-defined]
    campaign_sync_audience(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_sync_audience(
    *, campaign: Campaign, today: dt.date | None = None
) -> tuple[int, int]:
    """Bring membership rows in line with the roster: (joined, left).

    People in the audience when the campaign is created join on its start date; later
    joiners on the day they are found (that day starts their "N days" clock). Leavers
    get ``left_on``; someone who comes back joins again from that day.
    """
    today = today or timezone.localdate()
    campaign._rules_cache = None  # type: ignore[attr-defined]
    audience = set(campaign_audience(campaign).values_list("id", flat=True))
    members = {m.staff_id: m for m in CampaignMember.objects.filter(campaign=campaign)}
    first_sync = not members
    join_day = campaign.starts_on if first_sync else today
    new = [
        CampaignMember(campaign=campaign, staff_id=sid, joined_on=join_day)
        for sid in audience
        if sid not in members
    ]
    CampaignMember.objects.bulk_create(new, batch_size=2000)
    back = [m.pk for sid, m in members.items() if sid in audience and m.left_on]
    gone = [m.pk for sid, m in members.items() if sid not in audience and not m.left_on]
    if back:
        CampaignMember.objects.filter(pk__in=back).update(left_on=None, joined_on=today)
    if gone:
        CampaignMember.objects.filter(pk__in=gone).update(left_on=today)
    return len(new) + len(back), len(gone)


def _roster_index() -> tuple[dict[str, list[tuple]], list[tuple]]:
    """The active roster once: people by every unit path their unit lies under.

    Each person is ``(id, position, is_leader, line ids)``; a unit path ends with
    ``/``, so a person is under each prefix of their unit's path that ends there.
    """
    lines: dict[int, set[int]] = {}
    through = StaffProfile.business_lines.through
    active = StaffProfile.objects.filter(active=True)
    for staff_id, line_id in through.objects.filter(
        staffprofile__in=active
    ).values_list("staffprofile_id", "businessline_id"):
        lines.setdefault(staff_id, set()).add(line_id)
    under: dict[str, list[tuple]] = {}
    everyone: list[tuple] = []
    for staff_id, position, is_leader, path in active.values_list(
        "id", "position", "is_leader", "unit__path"
    ).iterator(chunk_size=5000):
        person: tuple = (
            staff_id,
            position,
            is_leader,
            lines.get(staff_id, frozenset()),
        )
        everyone.append(person)
        end = path.find("/")
        while end != -1:
            under.setdefault(path[: end + 1], []).append(person)
            end = path.find("/", end + 1)
    return under, everyone


def _audience(rules: Rules, under: dict, everyone: list) -> set[int]:
    """``audience_filter`` applied in memory to the indexed roster."""
    if rules.unit_paths:
        people = [p for path in rules.unit_paths for p in under.get(path, ())]
    else:
        people = everyone
    lines, positions = set(rules.line_ids), set(rules.positions)
    return {
        staff_id
        for staff_id, position, is_leader, own in people
        if (not lines or lines & own)
        and (not positions or position in positions)
        and (is_leader or not rules.leaders_only)
    }


def campaigns_sync_audiences(
    *, campaigns: list[tuple[Campaign, Rules]], today: dt.date | None = None
) -> None:
    """``campaign_sync_audience`` for many campaigns at once, for importers.

    The roster and the members are read once, whatever the number of campaigns, and
    membership is written in batches; the rules come from the caller (who has just
    written them). The same join and leave days as ``campaign_sync_audience``.
    """
    if not campaigns:
        return
    today = today or timezone.localdate()
    under, everyone = _roster_index()
    members: dict[int, dict[int, CampaignMember]] = {c.pk: {} for c, _r in campaigns}
    ids = list(members)
    for start in range(0, len(ids), 2000):
        for member in CampaignMember.objects.filter(
            campaign_id__in=ids[start : start + 2000]
        ):
            members[member.campaign_id][member.staff_id] = member
    new, back, gone = [], [], []
    for campaign, rules in campaigns:
        audience = _audience(rules, under, everyone)
        current = members[campaign.pk]
        join_day = campaign.starts_on if not current else today
        new += [(campaign.pk, sid, join_day) for sid in audience - current.keys()]
        back += [m.pk for sid, m in current.items() if sid in audience and m.left_on]
        gone += [
            m.pk for sid, m in current.items() if sid not in audience and not m.left_on
        ]
    for start in range(0, len(new), 50000):
        insert_rows(
            CampaignMember,
            ["campaign_id", "staff_id", "joined_on"],
            new[start : start + 50000],
        )
    for start in range(0, max(len(back), len(gone)), 2000):
        part = slice(start, start + 2000)
        CampaignMember.objects.filter(pk__in=back[part]).update(
            left_on=None, joined_on=today
        )
        CampaignMember.objects.filter(pk__in=gone[part]).update(left_on=today)


def campaigns_sync_all(*, today: dt.date | None = None) -> dict[str, tuple[int, int]]:
    """Sync every active campaign's audience; one that fails is logged and left out."""
    changes: dict[str, tuple[int, int]] = {}

    def sync(campaign: Campaign) -> None:
        changes[campaign.code] = campaign_sync_audience(campaign=campaign, today=today)

    run_isolated(
        Campaign.objects.filter(active=True),
        sync,
        what="syncing a campaign's audience",
        label=lambda c: c.code,
    )
    return changes


@transaction.atomic
def exemption_grant(
    *,
    campaign: Campaign,
    staff: StaffProfile,
    reason: str,
    approver: str,
    approved_by: User | None = None,
    expires_on: dt.date | None = None,
) -> Exemption:
    if not reason.strip() or not approver.strip():
        raise CampaignError(_("An exemption needs a reason and an approver."))
    exemption, _created = Exemption.objects.update_or_create(
        campaign=campaign,
        staff=staff,
        defaults={
            "reason": reason.strip(),
            "approver": approver.strip(),
            "approved_by": approved_by,
            "expires_on": expires_on,
        },
    )
    return exemption


def exemption_revoke(*, exemption: Exemption) -> None:
    exemption.delete()


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    # The count read with the user no longer holds.
    if getattr(user, "_unread_notifications", None) is not None:
        delattr(user, "_unread_notifications")
    return unread.update(read_at=timezone.now())
