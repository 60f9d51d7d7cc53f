"""Timestamps as requests send them: always with a timezone, within a sane range, in UTC.

PostgreSQL and Python disagree at the edges of their calendars (`0001-01-01T00:00:00Z` moved
to a session's local offset is before year 1 for Python), so a date no campaign or item can
mean is refused with a 422 instead of being stored and read back without its offset."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator

EARLIEST_YEAR = 2000
LATEST_YEAR = 2999


def aware_utc(value: datetime) -> datetime:
    """`value` in UTC; naive or out-of-range values are refused (a ValueError: a 422)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a timezone (e.g. 2026-11-23T09:00:00Z)")
    # Checked on the written year first: converting year 1 or 9999 may overflow.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.astimezone(UTC)


Timestamp = Annotated[datetime, AfterValidator(aware_utc)]
