"""Right to disconnect: the earliest moment a nudge may reach someone (pure)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO weekdays, Monday = 1


@dataclass(frozen=True)
class DisconnectRules:
    timezone: str = "UTC"
    quiet_start: time | None = None
    quiet_end: time | None = None
    working_days: tuple[int, ...] = ALL_DAYS


def parse_hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _in_quiet(t: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end  # wraps past midnight, e.g. 20:00-08:00


def next_allowed_nudge(now: datetime, rules: DisconnectRules) -> datetime:
    """`now` if a nudge may go now, else the start of the next allowed moment (UTC)."""
    zone = ZoneInfo(rules.timezone)
    local = now.astimezone(zone)
    days = set(rules.working_days) or set(ALL_DAYS)
    # A week and a day always reach a working day outside quiet hours.
    for _ in range(16):
        if local.isoweekday() not in days:
            local = datetime.combine(local.date() + timedelta(days=1), time(0), zone)
            continue
        start, end = rules.quiet_start, rules.quiet_end
        if start is not None and end is not None and _in_quiet(local.time(), start, end):
            same_day = local.time() < end
            day = local.date() if same_day else local.date() + timedelta(days=1)
            local = datetime.combine(day, end, zone)
            continue
        return local.astimezone(UTC)
    return local.astimezone(UTC)
