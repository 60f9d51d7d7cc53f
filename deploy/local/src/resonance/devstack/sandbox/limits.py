"""Rate limits with each network's semantics: fixed windows, counted per account or per app.

- LinkedIn: daily quotas per member and per app, reset at midnight UTC, 429 with no headers.
- X: 15-minute windows reported in `x-rate-limit-*` (reset in Unix seconds), plus the 24-hour
  plan caps in `x-user-limit-24hour-*` and `x-app-limit-24hour-*`.
- Mastodon: 300 calls per 5 minutes per account in `X-RateLimit-*` (reset as an ISO time).

Where several quotas report in one header family, the family shows the most constrained one,
as the real APIs do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from resonance.devstack.sandbox.config import Network, Quota
from resonance.devstack.sandbox.state import MAX_RATE_COUNTERS, SandboxState


@dataclass(frozen=True)
class QuotaStatus:
    quota: Quota
    used: int
    reset_at: float

    @property
    def remaining(self) -> int:
        return max(0, self.quota.limit - self.used)


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    statuses: tuple[QuotaStatus, ...] = ()
    exceeded: QuotaStatus | None = None


def window_start(now: float, period_s: int) -> float:
    """Windows aligned on the epoch: a day starts at midnight UTC."""
    return math.floor(now / period_s) * period_s


def consume(
    state: SandboxState, network: Network, op: str, user_key: str, app_key: str
) -> LimitDecision:
    """Counts one call against every quota covering `op`; refuses it if one is spent."""
    with state.lock:
        if not state.limits_enabled[network]:
            return LimitDecision(True)
        now = state.now()
        slots: list[tuple[Quota, tuple[str, ...], float]] = []
        for quota in state.quotas[network].values():
            if not quota.applies_to(op):
                continue
            start = window_start(now, quota.period_s)
            subject = user_key if quota.scope == "user" else app_key
            key = (network, quota.name, subject, op if quota.per_op else "", str(int(start)))
            slots.append((quota, key, start + quota.period_s))
        current = [QuotaStatus(q, state.counters.get(slot, 0), end) for q, slot, end in slots]
        spent = [s for s in current if s.used >= s.quota.limit]
        if spent:
            # The one that frees up last is the one the caller must wait for.
            return LimitDecision(False, tuple(current), max(spent, key=lambda s: s.reset_at))
        after = []
        for quota, slot, end in slots:
            state.counters[slot] = state.counters.get(slot, 0) + 1
            after.append(QuotaStatus(quota, state.counters[slot], end))
        if len(state.counters) > MAX_RATE_COUNTERS:
            _prune(state, now)
        return LimitDecision(True, tuple(after))


def _prune(state: SandboxState, now: float) -> None:
    quotas = {(n, q.name): q for n, qs in state.quotas.items() for q in qs.values()}
    for key in list(state.counters):
        quota = quotas.get((key[0], key[1]))
        if quota is None or float(key[4]) + quota.period_s <= now:
            del state.counters[key]
    if len(state.counters) > MAX_RATE_COUNTERS:
        state.counters.clear()


def exhausted(state: SandboxState, network: Network, op: str) -> LimitDecision:
    """A forced 429 (control fault): every quota of `op` reported as spent."""
    with state.lock:
        now = state.now()
        statuses = tuple(
            QuotaStatus(q, q.limit, window_start(now, q.period_s) + q.period_s)
            for q in state.quotas[network].values()
            if q.applies_to(op)
        )
    first = statuses[0] if statuses else None
    return LimitDecision(False, statuses, first)


def format_reset(reset_at: float, style: str) -> str:
    if style == "iso":
        # Mastodon renders Ruby's Time#iso8601(6).
        return datetime.fromtimestamp(reset_at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(math.ceil(reset_at))


def rate_headers(decision: LimitDecision, reset_style: str) -> dict[str, str]:
    if reset_style == "none":
        return {}
    chosen: dict[str, QuotaStatus] = {}
    for status in decision.statuses:
        family = status.quota.headers
        if family is None:
            continue
        best = chosen.get(family)
        rank = (status.remaining, -status.reset_at)
        if best is None or rank < (best.remaining, -best.reset_at):
            chosen[family] = status
    if decision.exceeded is not None and decision.exceeded.quota.headers:
        chosen[decision.exceeded.quota.headers] = decision.exceeded
    headers: dict[str, str] = {}
    for family, status in chosen.items():
        # Header names are case-insensitive; keep each network's spelling for readers' sake.
        word = str.title if family.startswith("X-") else str.lower
        headers[f"{family}-{word('limit')}"] = str(status.quota.limit)
        headers[f"{family}-{word('remaining')}"] = str(status.remaining)
        headers[f"{family}-{word('reset')}"] = format_reset(status.reset_at, reset_style)
    return headers
