"""An ambassador's local days and hours, as UTC instants (pure).

Caps count per local day and auto-share plans inside local working hours, so both need the
same answers to "which local day is this instant?" and "when does that day start in UTC?".
Daylight saving time is absorbed here: a Paris day in spring is 23 hours long, in autumn 25.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(timezone: str) -> ZoneInfo:
    """The IANA zone called `timezone`; ValueError (not KeyError) when it does not exist."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {timezone!r}") from exc


def valid_timezone(timezone: str) -> bool:
    try:
        zone(timezone)
    except ValueError:
        return False
    return True


def require_aware(moment: datetime) -> datetime:
    """Naive datetimes are ambiguous across time zones: refuse them rather than guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a time zone aware datetime is required, got {moment!r}")
    return moment


def local_day(moment: datetime, timezone: str) -> date:
    """The calendar day `moment` falls on in `timezone`."""
    return require_aware(moment).astimezone(zone(timezone)).date()


def local_instant(day: date, at: time, timezone: str) -> datetime:
    """`day` at wall-clock `at` in `timezone`, in UTC.

    A wall-clock time skipped by a spring-forward (02:30 in Paris on the last Sunday of
    March) reads with fold=0, i.e. with the offset before the jump: it lands just after the
    gap (03:30 local), never before it. A repeated time (autumn) reads as its first occurrence.
    """
    return datetime.combine(day, at, zone(timezone)).astimezone(UTC)


def local_midnight(day: date, timezone: str) -> datetime:
    """The first instant of `day` in `timezone`, in UTC."""
    return local_instant(day, time(0), timezone)


def next_local_midnight(moment: datetime, timezone: str) -> datetime:
    """The start of the local day after the one `moment` falls on, in UTC."""
    return local_midnight(local_day(moment, timezone) + timedelta(days=1), timezone)


def next_utc_midnight(moment: datetime) -> datetime:
    """The start of the next UTC day (LinkedIn's daily quotas reset then)."""
    day = require_aware(moment).astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(day, time(0), UTC)
