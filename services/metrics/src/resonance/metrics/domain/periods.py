"""Reporting periods in the tenant's time zone, as half-open UTC bounds (pure).

Every period is a whole number of the tenant's local days, `[first_day, end_day)`, so it lines
up with aggregate rows kept per local day: a row for day D belongs to a period exactly when
`first_day <= D < end_day` (see `local_day`). The UTC bounds (`start`, `end`) are the local
midnights converted to UTC, which is where daylight saving time is absorbed: a Paris day in
spring is 23 hours long, and both neighbours still meet without a gap or an overlap.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROLLING_DAYS = 30


class PeriodKind(StrEnum):
    ROLLING_30_DAYS = "rolling_30_days"  # the 30 local days ending with today (today included)
    WEEK = "week"  # ISO week, Monday to Sunday
    MONTH = "month"
    QUARTER = "quarter"
    ALL_TIME = "all_time"
    CUSTOM = "custom"  # chosen local days [first_day, end_day)


def zone(timezone: str) -> ZoneInfo:
    """The IANA zone called `timezone`; ValueError (not KeyError) when it does not exist."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {timezone!r}") from exc


def require_aware(moment: datetime) -> datetime:
    """Naive datetimes are ambiguous across tenants: refuse them rather than guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a time zone aware datetime is required, got {moment!r}")
    return moment


def local_day(moment: datetime, timezone: str) -> date:
    """The tenant-local calendar day a fact belongs to: the key of per-day aggregate rows."""
    return require_aware(moment).astimezone(zone(timezone)).date()


def local_midnight(day: date, timezone: str) -> datetime:
    """The first instant of `day` in `timezone`, in UTC.

    Where midnight itself does not exist (a zone that springs forward at 00:00), zoneinfo's
    fold=0 reading lands on the first instant that does, which is the start of that day.
    """
    return datetime.combine(day, time(0), zone(timezone)).astimezone(UTC)


def week_start(day: date) -> date:
    """Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_months(day: date, months: int) -> date:
    """First day of the month `months` after the month of `day` (negative goes back)."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Local days `[first_day, end_day)` of `timezone`; `first_day` is None for all time."""

    kind: PeriodKind
    timezone: str
    first_day: date | None
    end_day: date

    def __post_init__(self) -> None:
        zone(self.timezone)
        if self.first_day is not None and self.first_day >= self.end_day:
            raise ValueError("a period needs first_day < end_day")

    @property
    def start(self) -> datetime | None:
        """Inclusive UTC lower bound; None for all time."""
        return None if self.first_day is None else local_midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        """Exclusive UTC upper bound."""
        return local_midnight(self.end_day, self.timezone)

    @property
    def days(self) -> int | None:
        """Number of local days; None for all time."""
        return None if self.first_day is None else (self.end_day - self.first_day).days

    def contains_day(self, day: date) -> bool:
        return (self.first_day is None or self.first_day <= day) and day < self.end_day

    def contains(self, moment: datetime) -> bool:
        return self.contains_day(local_day(moment, self.timezone))

    @property
    def label(self) -> str:
        """A stable human/key label: 2026-W19, 2026-05, 2026-Q2, all-time, 2026-05-01..2026-05-31."""
        first = self.first_day
        if first is None:
            return "all-time"
        if self.kind is PeriodKind.WEEK:
            year, week, _ = first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind is PeriodKind.MONTH:
            return f"{first.year}-{first.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        return f"{first.isoformat()}..{(self.end_day - timedelta(days=1)).isoformat()}"


def current_period(kind: PeriodKind, now: datetime, timezone: str) -> Period:
    """The period of `kind` that holds `now` in the tenant's zone (not CUSTOM).

    Rolling 30 days ends with today, so today's activity counts at once; calendar periods run
    to the end of their unit; all time ends tomorrow (local).
    """
    today = local_day(now, timezone)
    tomorrow = today + timedelta(days=1)
    if kind is PeriodKind.ROLLING_30_DAYS:
        return Period(kind, timezone, tomorrow - timedelta(days=ROLLING_DAYS), tomorrow)
    if kind is PeriodKind.WEEK:
        monday = week_start(today)
        return Period(kind, timezone, monday, monday + timedelta(days=7))
    if kind is PeriodKind.MONTH:
        first = month_start(today)
        return Period(kind, timezone, first, add_months(first, 1))
    if kind is PeriodKind.QUARTER:
        first = quarter_start(today)
        return Period(kind, timezone, first, add_months(first, 3))
    if kind is PeriodKind.ALL_TIME:
        return Period(kind, timezone, None, tomorrow)
    raise ValueError("a custom period has no 'current' one; use custom_period")


def custom_period(first_day: date, end_day: date, timezone: str) -> Period:
    """Local days `[first_day, end_day)`: 1 May to 1 June is the whole of May."""
    return Period(PeriodKind.CUSTOM, timezone, first_day, end_day)


def previous_period(period: Period) -> Period | None:
    """The period to compare with: the previous calendar unit, or as many days just before.

    All time has none.
    """
    first = period.first_day
    if first is None:
        return None
    if period.kind is PeriodKind.MONTH:
        return Period(period.kind, period.timezone, add_months(first, -1), first)
    if period.kind is PeriodKind.QUARTER:
        return Period(period.kind, period.timezone, add_months(first, -3), first)
    length = period.end_day - first
    return Period(period.kind, period.timezone, first - length, first)


@dataclass(frozen=True)
class Cover:
    """Part of a cover of local days: the rows of months (or days) `[first, end)`, added or,
    with `sign` -1, taken away; `first` None is unbounded."""

    months: bool
    first: date | None
    end: date
    sign: int = 1


def month_cover(first: date | None, end: date) -> tuple[Cover, ...]:
    """Local days `[first, end)` as few monthly and daily rows as it takes: whole months
    from monthly rows, a month mostly inside as the month less its days outside, a month
    mostly outside as its days inside. 30 days across a month's end read one month and a
    few days each side rather than thirty days."""
    parts: list[Cover] = []
    month = month_start(end) if first is None else month_start(first)
    if first is None:
        parts.append(Cover(True, None, month))
    while month < end:
        following = add_months(month, 1)
        inside = (month if first is None else max(first, month), min(end, following))
        inside_days = (inside[1] - inside[0]).days
        if inside_days == (following - month).days:
            parts.append(Cover(True, month, following))
        elif 2 * inside_days <= (following - month).days:
            parts.append(Cover(False, *inside))
        else:
            parts.append(Cover(True, month, following))
            if inside[0] > month:
                parts.append(Cover(False, month, inside[0], -1))
            if inside[1] < following:
                parts.append(Cover(False, inside[1], following, -1))
        month = following
    return _merged(parts)


def _merged(parts: list[Cover]) -> tuple[Cover, ...]:
    """Adjacent added month ranges as one."""
    merged: list[Cover] = []
    for part in parts:
        last = merged[-1] if merged else None
        if (
            last
            and last.months
            and part.months
            and last.sign == part.sign == 1
            and last.end == part.first
        ):
            merged[-1] = Cover(True, last.first, part.end)
        else:
            merged.append(part)
    return tuple(merged)
