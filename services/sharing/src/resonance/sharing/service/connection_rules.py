"""Pure rules about connections (no I/O): when to refresh, when a connection is over, which
expiry warnings are due. Kept here because domain/ (another engineer's) has none yet."""

from collections.abc import Iterable
from datetime import datetime, timedelta


def needs_refresh(expires_at: datetime | None, now: datetime, ahead: timedelta) -> bool:
    """Refresh when less than `ahead` is left (X tokens last 2 hours); never-expiring
    tokens (Mastodon) never need it."""
    return expires_at is not None and expires_at - now <= ahead


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now


def expiry_warnings_due(
    expires_at: datetime, now: datetime, thresholds_days: Iterable[int], announced: Iterable[int]
) -> list[int]:
    """The thresholds (days ahead) crossed and not yet announced, largest first.

    A connection ending in 5 days with thresholds (7, 1) and nothing announced → [7]; the
    same connection a few days later (0.5 days left, 7 announced) → [1]. Several crossed at
    once (first seen 0.5 days before the end) are announced together, once.
    """
    left = expires_at - now
    done = set(announced)
    return sorted(
        (d for d in set(thresholds_days) if d > 0 and left <= timedelta(days=d) and d not in done),
        reverse=True,
    )
