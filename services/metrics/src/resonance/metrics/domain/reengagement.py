"""Re-engagement: who lapsed, what to suggest, and when a suggestion may be sent (pure).

- **Lapsed**: no share for `lapse_after` (a tenant setting, 30 days by default); someone who
  never shared lapses `lapse_after` after enrolling.
- **At most once a week**: a suggestion is never sent within 7 days (elapsed time) of the
  previous one, and its key (one per person and ISO week) lets the store refuse a duplicate.
- **Right to disconnect**: it goes at the next moment that is on one of the person's working
  days, inside working hours and outside quiet hours, all read in the person's time zone, and
  not before `next_allowed_nudge_at` from ambassador.updated. Wall-clock times are turned into
  instants day by day, so a daylight saving change moves the UTC time, never the local one.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from resonance.metrics.domain.periods import local_day, require_aware, zone

DEFAULT_LAPSE = timedelta(days=30)
SUGGESTION_INTERVAL = timedelta(days=7)
WEEKDAYS = (1, 2, 3, 4, 5)  # ISO weekdays, Monday = 1
MAX_SUGGESTIONS = 10
_DAY = 24 * 3600

Interval = tuple[int, int]  # seconds after local midnight, [start, end)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _window(start: time, end: time) -> list[Interval]:
    """A daily window; one whose end is before its start wraps past midnight (20:00-08:00)."""
    a, b = _seconds(start), _seconds(end)
    if a == b:
        return []
    return [(a, b)] if a < b else [(0, b), (a, _DAY)]


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    result = intervals
    for hole_start, hole_end in holes:
        remaining: list[Interval] = []
        for start, end in result:
            if start < hole_start:
                remaining.append((start, min(end, hole_start)))
            if end > hole_end:
                remaining.append((max(start, hole_end), end))
        result = remaining
    return sorted(result)


@dataclass(frozen=True)
class WorkingTime:
    """When a person may be contacted. Working hours None means the whole day."""

    timezone: str = "UTC"
    working_days: tuple[int, ...] = WEEKDAYS
    working_start: time | None = time(9)
    working_end: time | None = time(18)
    quiet_start: time | None = None
    quiet_end: time | None = None

    def __post_init__(self) -> None:
        zone(self.timezone)
        if not self.working_days or not set(self.working_days) <= set(range(1, 8)):
            raise ValueError("working days are ISO weekdays 1..7, at least one")
        if (self.working_start is None) != (self.working_end is None):
            raise ValueError("working hours need both a start and an end")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet hours need both a start and an end")
        if self.working_start is not None and self.working_start == self.working_end:
            raise ValueError("working hours cannot be empty")
        if not self.allowed_intervals():
            raise ValueError("quiet hours cover all of the working hours")

    def allowed_intervals(self) -> list[Interval]:
        """The allowed part of a working day, in seconds after local midnight."""
        if self.working_start is None or self.working_end is None:
            working: list[Interval] = [(0, _DAY)]
        else:
            working = _window(self.working_start, self.working_end)
        quiet: list[Interval] = []
        if self.quiet_start is not None and self.quiet_end is not None:
            quiet = _window(self.quiet_start, self.quiet_end)
        return _subtract(working, quiet)


def parse_hhmm(value: str) -> time:
    """Read "08:30" (the format of the profile's quiet_hours_*) as a time."""
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def working_time_from_profile(
    timezone: str | None,
    quiet_hours_start: str | None,
    quiet_hours_end: str | None,
    working_days: Sequence[int],
    default: WorkingTime = WorkingTime(),
) -> WorkingTime:
    """The person's choices (ambassador.updated's profile) over the tenant's defaults."""
    quiet = (
        (parse_hhmm(quiet_hours_start), parse_hhmm(quiet_hours_end))
        if quiet_hours_start and quiet_hours_end
        else (default.quiet_start, default.quiet_end)
    )
    return WorkingTime(
        timezone=timezone or default.timezone,
        working_days=tuple(sorted(set(working_days))) or default.working_days,
        working_start=default.working_start,
        working_end=default.working_end,
        quiet_start=quiet[0],
        quiet_end=quiet[1],
    )


def _instant(day: date, seconds: int, timezone: str) -> datetime:
    if seconds >= _DAY:
        day, seconds = day + timedelta(days=1), 0
    wall = time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    # A wall time skipped by a spring-forward change reads (fold=0) as the instant just after.
    return datetime.combine(day, wall, zone(timezone)).astimezone(UTC)


def next_send_time(
    now: datetime, rules: WorkingTime, not_before: datetime | None = None
) -> datetime:
    """`now` (or `not_before`, if later) when that is allowed, else the next allowed moment."""
    earliest = max(require_aware(now), require_aware(not_before) if not_before else now)
    earliest = earliest.astimezone(UTC)
    day = local_day(earliest, rules.timezone)
    intervals = rules.allowed_intervals()
    for _ in range(8 + 1):  # within a week and a day there is always a working day
        if day.isoweekday() in rules.working_days:
            for start, end in intervals:
                if earliest < _instant(day, end, rules.timezone):
                    return max(earliest, _instant(day, start, rules.timezone))
        day += timedelta(days=1)
    raise AssertionError("unreachable: WorkingTime guarantees an allowed moment every week")


def is_lapsed(
    last_share_at: datetime | None,
    enrolled_at: datetime,
    now: datetime,
    lapse_after: timedelta = DEFAULT_LAPSE,
) -> bool:
    """No share for `lapse_after`, counting from enrolment for someone who never shared."""
    since = last_share_at if last_share_at is not None else enrolled_at
    return require_aware(now) - require_aware(since) >= lapse_after


def suggestion_key(ambassador_id: str, send_at: datetime, timezone: str) -> str:
    """One suggestion per person and ISO week (of the person's zone): the store's unique key."""
    year, week, _ = local_day(send_at, timezone).isocalendar()
    return f"reengagement:{ambassador_id}:{year}-W{week:02d}"


@dataclass(frozen=True)
class SuggestionPlan:
    ambassador_id: str
    send_at: datetime
    key: str


def plan_suggestion(
    ambassador_id: str,
    enrolled_at: datetime,
    last_share_at: datetime | None,
    last_suggested_at: datetime | None,
    now: datetime,
    rules: WorkingTime,
    not_before: datetime | None = None,
    lapse_after: timedelta = DEFAULT_LAPSE,
) -> SuggestionPlan | None:
    """When to send a suggestion to this person, or None when they have not lapsed.

    The caller skips people who unsubscribed or left; a plan is re-made (not sent) if they
    share before `send_at`.
    """
    if not is_lapsed(last_share_at, enrolled_at, now, lapse_after):
        return None
    floor = now if last_suggested_at is None else max(now, last_suggested_at + SUGGESTION_INTERVAL)
    if not_before is not None:
        floor = max(floor, not_before)
    send_at = next_send_time(floor, rules)
    return SuggestionPlan(
        ambassador_id, send_at, suggestion_key(ambassador_id, send_at, rules.timezone)
    )


@dataclass(frozen=True)
class Candidate:
    """An item of the person's feed, with how often their peers shared it lately."""

    content_id: str
    peer_shares: int
    published_at: datetime


def pick_suggestions(
    candidates: Iterable[Candidate], already_shared: Iterable[str], limit: int = 3
) -> tuple[str, ...]:
    """The items peers share most that this person has not shared: most shared first, then
    the most recent, then by id, so the choice is stable."""
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise ValueError(f"limit must be between 1 and {MAX_SUGGESTIONS}")
    shared = set(already_shared)
    fresh = [c for c in candidates if c.content_id not in shared and c.peer_shares > 0]
    fresh.sort(key=lambda c: c.content_id)
    fresh.sort(key=lambda c: (c.peer_shares, c.published_at), reverse=True)
    return tuple(c.content_id for c in fresh[:limit])
