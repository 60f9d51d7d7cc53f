"""Campaign auto-share: when to post for each opted-in ambassador (pure).

On `campaign.launched` every opted-in ambassador gets, per item and per network they opted
in for, one share inside the campaign window and inside their own working time: their
working days and hours in their time zone, minus their quiet hours. To turn a launch into a
spread rather than a spike at t0, each share's moment is drawn from a hash of (campaign,
ambassador, item, network): stable if the plan is computed twice, different for each person.
A person's shares of several items on one network go to evenly spaced parts of their
working time. Caps are honoured: a share that would break one moves to the next slot inside
the window, or is reported as skipped. Nothing is ever placed at or after the window's end.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Literal

from resonance.sharing.domain.caps import Allowed, TenantCaps, check_caps
from resonance.sharing.domain.local_time import (
    local_instant,
    local_midnight,
    require_aware,
    valid_timezone,
    zone,
)
from resonance.sharing.domain.networks import DailyLimit, Network, parse_network

ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO weekdays, Monday = 1
WEEKDAYS = (1, 2, 3, 4, 5)
# Long campaigns are planned over their first quarter; a later run can plan the rest.
MAX_PLANNED_DAYS = 92


@dataclass(frozen=True)
class WorkingTime:
    """When someone may be posted for, in their own time zone.

    Working hours `day_start`-`day_end` on `working_days` (ISO weekdays; empty means every
    day); quiet hours (which may wrap past midnight, e.g. 20:00-08:00) are taken out.
    """

    timezone: str = "UTC"
    working_days: tuple[int, ...] = WEEKDAYS
    day_start: time = time(9)
    day_end: time = time(18)
    quiet_start: time | None = None
    quiet_end: time | None = None


@dataclass(frozen=True)
class OptedIn:
    """An ambassador who opted in to auto-share on `networks`.

    `existing`: per network, when their live shares happen (as for `caps.check_caps`), so
    the plan together with what is already scheduled keeps within the caps.
    """

    ambassador_id: str
    networks: tuple[str, ...]
    working_time: WorkingTime = WorkingTime()
    existing: Mapping[str, Sequence[datetime]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedShare:
    ambassador_id: str
    network: Network
    content_id: str
    at: datetime  # UTC, whole seconds


class SkipReason(StrEnum):
    WINDOW_OVER = "window_over"  # nothing of the window is left
    NO_WORKING_TIME = "no_working_time"  # none of their working time falls in the window
    CAP_REACHED = "cap_reached"  # the caps leave no slot before the window ends
    UNKNOWN_TIMEZONE = "unknown_timezone"
    UNKNOWN_NETWORK = "unknown_network"


@dataclass(frozen=True)
class Skipped:
    """No share planned; `content_id` None when it holds for every item of the campaign."""

    ambassador_id: str
    network: str
    content_id: str | None
    reason: SkipReason


@dataclass(frozen=True)
class AutoSharePlan:
    shares: list[PlannedShare]
    skipped: list[Skipped]


Interval = tuple[datetime, datetime]  # [start, end) in UTC


def _minus(interval: Interval, hole: Interval) -> list[Interval]:
    start, end = interval
    hole_start, hole_end = hole
    if hole_end <= start or hole_start >= end:
        return [interval]
    return [(a, b) for a, b in ((start, hole_start), (hole_end, end)) if a < b]


def working_intervals(working: WorkingTime, start: datetime, end: datetime) -> list[Interval]:
    """The person's working time inside `[start, end)`, as sorted disjoint UTC intervals.

    Each local working day contributes `[day_start, day_end)` converted to UTC on that very
    day, so the UTC hours move with daylight saving time; quiet hours are cut out the same
    way (a quiet period wrapping past midnight is cut from both ends of the day).
    """
    tz = working.timezone
    start, end = require_aware(start).astimezone(UTC), require_aware(end).astimezone(UTC)
    if start >= end or working.day_start >= working.day_end:
        return []
    local_zone = zone(tz)
    day = start.astimezone(local_zone).date()
    last_day = min(end.astimezone(local_zone).date(), day + timedelta(days=MAX_PLANNED_DAYS))
    days = set(working.working_days) or set(ALL_DAYS)
    qs, qe = working.quiet_start, working.quiet_end
    intervals: list[Interval] = []
    while day <= last_day:
        if day.isoweekday() in days:
            pieces = [
                (local_instant(day, working.day_start, tz), local_instant(day, working.day_end, tz))
            ]
            if qs is not None and qe is not None and qs != qe:
                if qs < qe:
                    holes = [(local_instant(day, qs, tz), local_instant(day, qe, tz))]
                else:
                    holes = [
                        (local_midnight(day, tz), local_instant(day, qe, tz)),
                        (local_instant(day, qs, tz), local_midnight(day + timedelta(days=1), tz)),
                    ]
                for hole in holes:
                    pieces = [part for piece in pieces for part in _minus(piece, hole)]
            for a, b in pieces:
                a, b = max(a, start), min(b, end)
                if a < b:
                    intervals.append((a, b))
        day += timedelta(days=1)
    return intervals


def _unit(*parts: str) -> float:
    """A number in [0, 1) drawn from `parts` (sha256: the same in every process)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _point_at(intervals: Sequence[Interval], offset: timedelta) -> datetime:
    """The instant `offset` into the concatenated intervals (offset < their total)."""
    for start, end in intervals:
        if offset < end - start:
            moment = start + offset
            return max(moment.replace(microsecond=0), start)
        offset -= end - start
    return intervals[-1][0]  # pragma: no cover - offset is always below the total


def _spread_at_or_after(
    intervals: Sequence[Interval], moment: datetime, draw: float
) -> datetime | None:
    """A moment of the first working interval that ends after `moment`, at or after it.

    `draw` places it within the rest of that interval, so the shares a cap pushes to the next
    day spread over that day's hours instead of piling up at its first working minute.
    """
    for start, end in intervals:
        if moment < end:
            earliest = max(moment, start)
            return max((earliest + (end - earliest) * draw).replace(microsecond=0), earliest)
    return None


def _within_caps(
    network: Network,
    wanted: datetime,
    intervals: Sequence[Interval],
    timezone: str,
    taken: Sequence[datetime],
    tenant_cap: int | None,
    limit: DailyLimit | Literal["default"] | None,
    draw: float,
) -> datetime | None:
    """`wanted` if the caps allow it, else a working moment they allow (None: none left)."""
    at: datetime | None = wanted
    # Each round moves past a blocked day or window; the bound is only a safety net.
    for _ in range(2 * MAX_PLANNED_DAYS + 8):
        if at is None:
            return None
        decision = check_caps(
            network,
            at,
            timezone=timezone,
            existing=taken,
            tenant_cap=tenant_cap,
            network_limit=limit,
        )
        if isinstance(decision, Allowed):
            return at
        slot = decision.next_slot_at
        at = _spread_at_or_after(intervals, slot, draw) if slot is not None else None
    return None


def plan_auto_shares(
    *,
    campaign_id: str,
    window_start: datetime,
    window_end: datetime,
    content_ids: Sequence[str],
    people: Sequence[OptedIn],
    caps: TenantCaps,
    now: datetime,
    network_limits: Mapping[str, DailyLimit | None] | Literal["default"] = "default",
) -> AutoSharePlan:
    """One share per (opted-in ambassador, network, item), spread over the window.

    The window is `[max(window_start, now), window_end)`; a campaign without an end should
    be given one (e.g. a week) by the caller. `network_limits` overrides, per network, the
    network's own daily limit (None: no limit); networks it leaves out keep their published one.
    """
    start = max(require_aware(window_start), require_aware(now)).astimezone(UTC)
    end = require_aware(window_end).astimezone(UTC)
    items = list(dict.fromkeys(content_ids))
    shares: list[PlannedShare] = []
    skipped: list[Skipped] = []
    for person in people:
        tz = person.working_time.timezone
        whole_reason: SkipReason | None = None
        intervals: list[Interval] = []
        if start >= end:
            whole_reason = SkipReason.WINDOW_OVER
        elif not valid_timezone(tz):
            whole_reason = SkipReason.UNKNOWN_TIMEZONE
        else:
            intervals = working_intervals(person.working_time, start, end)
            if not intervals:
                whole_reason = SkipReason.NO_WORKING_TIME
        total = sum((b - a for a, b in intervals), timedelta())
        for name in dict.fromkeys(person.networks):
            network = parse_network(name)
            if network is None:
                skipped.append(
                    Skipped(person.ambassador_id, name, None, SkipReason.UNKNOWN_NETWORK)
                )
                continue
            if whole_reason is not None:
                skipped.append(Skipped(person.ambassador_id, network.value, None, whole_reason))
                continue
            taken = list(person.existing.get(network.value, ()))
            limit: DailyLimit | Literal["default"] | None = (
                "default"
                if network_limits == "default"
                else network_limits.get(network.value, "default")
            )
            for index, content_id in enumerate(items):
                draw = _unit(campaign_id, person.ambassador_id, content_id, network.value)
                wanted = _point_at(intervals, total * ((index + draw) / len(items)))
                at = _within_caps(
                    network, wanted, intervals, tz, taken, caps.for_network(network), limit, draw
                )
                if at is None:
                    reason = SkipReason.CAP_REACHED
                    skipped.append(Skipped(person.ambassador_id, network.value, content_id, reason))
                    continue
                taken.append(at)
                shares.append(PlannedShare(person.ambassador_id, network, content_id, at))
    return AutoSharePlan(shares, skipped)
