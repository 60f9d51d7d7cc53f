"""Daily caps: the tenant's per ambassador per network per day, and the network's own limits.

The tenant's cap counts the ambassador's *local* day (their time zone, daylight saving time
included); LinkedIn's quota counts the UTC day; X's and Meta's count any 24 hours. A refusal
says which limit was hit and when the next slot opens: the first instant at which *every*
limit allows one more share.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from resonance.sharing.domain.local_time import (
    local_day,
    next_local_midnight,
    next_utc_midnight,
    require_aware,
)
from resonance.sharing.domain.networks import DailyLimit, DailyWindow, Network, profile

ROLLING_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class TenantCaps:
    """Most shares one ambassador may make on one network in one of their local days.

    `per_network` overrides `default`; None (or no entry and no default) means no cap.
    """

    per_network: Mapping[str, int] = field(default_factory=dict)
    default: int | None = None

    def for_network(self, network: str | Network) -> int | None:
        key = profile(network).network.value
        return self.per_network.get(key, self.default)


@dataclass(frozen=True)
class Allowed:
    pass


@dataclass(frozen=True)
class CapReached:
    """Refused: `kind` says whose limit (`limit` shares), `next_slot_at` (UTC) when to retry.

    `next_slot_at` is None when no slot ever opens (a cap of 0: the network is switched off).
    """

    network: Network
    kind: Literal["tenant", "network"]
    limit: int
    next_slot_at: datetime | None


CapDecision = Allowed | CapReached


def _tenant_block(at: datetime, days: Sequence[date], timezone: str, cap: int) -> datetime | None:
    day = local_day(at, timezone)
    same_day = bisect_right(days, day) - bisect_left(days, day)
    return next_local_midnight(at, timezone) if same_day >= cap else None


def _network_block(at: datetime, times: Sequence[datetime], limit: DailyLimit) -> datetime | None:
    if limit.window is DailyWindow.UTC_DAY:
        start = datetime.combine(at.astimezone(UTC).date(), datetime.min.time(), UTC)
        counted = bisect_left(times, start + timedelta(days=1)) - bisect_left(times, start)
        return next_utc_midnight(at) if counted >= limit.posts else None
    # Rolling: the shares in (at - 24 h, at]. With n >= limit of them, one more fits once the
    # (n - limit + 1) oldest have left the window, i.e. 24 h after the (n - limit)-th (0-based).
    first = bisect_right(times, at - ROLLING_WINDOW)
    last = bisect_right(times, at)
    counted = last - first
    if counted < limit.posts:
        return None
    return times[first + counted - limit.posts] + ROLLING_WINDOW


def check_caps(
    network: str | Network,
    at: datetime,
    *,
    timezone: str,
    existing: Sequence[datetime],
    tenant_cap: int | None,
    network_limit: DailyLimit | Literal["default"] | None = "default",
) -> CapDecision:
    """May the ambassador have one more share on `network` at `at`?

    `existing`: when their other live shares on this network happen (scheduled, posting,
    posted, self-reported; not cancelled or failed), at least from a day before `at` on,
    future ones included. `network_limit`: "default" takes the network's published limit.
    """
    p = profile(network)
    require_aware(at)
    limit = p.daily_limit if network_limit == "default" else network_limit
    if tenant_cap is not None and tenant_cap <= 0:
        return CapReached(p.network, "tenant", 0, None)
    if isinstance(limit, DailyLimit) and limit.posts <= 0:
        return CapReached(p.network, "network", 0, None)
    times = sorted(require_aware(t).astimezone(UTC) for t in existing)
    days = sorted(local_day(t, timezone) for t in times) if tenant_cap is not None else []

    first: tuple[Literal["tenant", "network"], int] | None = None
    slot = at.astimezone(UTC)
    # Each round moves `slot` past a day or window holding at least one of `existing`, and
    # never back, so there are at most three rounds per share in `existing`.
    for _ in range(3 * len(times) + 4):
        if tenant_cap is not None and (later := _tenant_block(slot, days, timezone, tenant_cap)):
            first = first or ("tenant", tenant_cap)
            slot = later
            continue
        if isinstance(limit, DailyLimit) and (later := _network_block(slot, times, limit)):
            first = first or ("network", limit.posts)
            slot = later
            continue
        break
    if first is None:
        return Allowed()
    return CapReached(p.network, first[0], first[1], slot)
