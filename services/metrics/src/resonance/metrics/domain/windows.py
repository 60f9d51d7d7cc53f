"""Which period a read asks for: the API's names, custom windows and their limits (pure).

The API speaks `rolling_30d | week | month | quarter | all | custom`; periods.py speaks
PeriodKind. A custom window is local days `[start, end)`; it may not be longer than
MAX_CUSTOM_DAYS (a board or KPI over decades is a mistake, not a question).
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from resonance.metrics.domain.periods import Period, PeriodKind, current_period, custom_period

MAX_CUSTOM_DAYS = 3 * 366


class PeriodName(StrEnum):
    ROLLING_30D = "rolling_30d"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    ALL = "all"
    CUSTOM = "custom"


_KINDS = {
    PeriodName.ROLLING_30D: PeriodKind.ROLLING_30_DAYS,
    PeriodName.WEEK: PeriodKind.WEEK,
    PeriodName.MONTH: PeriodKind.MONTH,
    PeriodName.QUARTER: PeriodKind.QUARTER,
    PeriodName.ALL: PeriodKind.ALL_TIME,
}

# Boards kept incrementally per calendar unit (store board_scores): the label of the unit a
# fact falls in is the key. Rolling and custom windows are summed from daily rows instead.
CALENDAR_BOARDS = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.ALL_TIME)


@dataclass(frozen=True)
class PeriodRequest:
    name: PeriodName = PeriodName.ROLLING_30D
    start: date | None = None
    end: date | None = None  # exclusive


class WindowRefusal(ValueError):
    """A custom window that cannot be read (missing bounds, reversed, too long)."""


def resolve(request: PeriodRequest, now: datetime, timezone: str) -> Period:
    """The period `request` names, as of `now` in the tenant's zone."""
    if request.name is PeriodName.CUSTOM:
        if request.start is None or request.end is None:
            raise WindowRefusal("a custom period needs start and end (local days, end excluded)")
        if request.start >= request.end:
            raise WindowRefusal("a custom period needs start < end")
        if (request.end - request.start).days > MAX_CUSTOM_DAYS:
            raise WindowRefusal(f"a custom period covers at most {MAX_CUSTOM_DAYS} days")
        return custom_period(request.start, request.end, timezone)
    if request.start is not None or request.end is not None:
        raise WindowRefusal("start and end are only for period=custom")
    return current_period(_KINDS[request.name], now, timezone)


def board_labels(moment: datetime, timezone: str) -> tuple[tuple[PeriodKind, str], ...]:
    """The calendar boards a scoring fact at `moment` counts on, as (kind, label)."""
    return tuple((kind, current_period(kind, moment, timezone).label) for kind in CALENDAR_BOARDS)
