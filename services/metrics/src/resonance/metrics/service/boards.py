"""Leaderboards and own rank (domain/leaderboard.py's rules; store/boards.py's SQL).

Pages are keyset-paginated: the cursor carries the last entry's place in the board order and
its rank and position, so the next page continues the ranking without counting again (ties
straddling two pages keep their shared rank).
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from resonance.common.auth import Principal
from resonance.common.domain_errors import Invalid
from resonance.metrics.domain.leaderboard import OwnRank, RankedStanding, rank_from_count
from resonance.metrics.domain.periods import Period, PeriodKind, current_period
from resonance.metrics.domain.segments import Segment
from resonance.metrics.domain.windows import CALENDAR_BOARDS, PeriodRequest
from resonance.metrics.service import Uow
from resonance.metrics.service.callers import me, period_of
from resonance.metrics.service.config import tenant_config
from resonance.metrics.store import boards as store
from resonance.metrics.store import people, rolling


@dataclass(frozen=True)
class BoardPage:
    period: Period
    entries: tuple[RankedStanding, ...]
    next_cursor: str | None


async def source_of(uow: Uow, tenant: str, period: Period) -> store.BoardSource:
    """A kept board (calendar units, the current rolling window once built) or the sum of
    the window's person-day rows (custom windows; the rolling one just after midnight)."""
    if period.kind in CALENDAR_BOARDS:
        return store.BoardSource(tenant, kind=period.kind.value, label=period.label)
    if period.kind is PeriodKind.ROLLING_30_DAYS and await rolling.is_built(
        uow.session, tenant, period.label
    ):
        return store.BoardSource(tenant, kind=rolling.KIND, label=period.label)
    return store.BoardSource(tenant, first_day=period.first_day, end_day=period.end_day)


async def ensure_rolling(uow: Uow, tenant: str) -> bool:
    """Builds the tenant's current rolling window if it is not yet; True when it built it."""
    config = await tenant_config(uow, tenant)
    window = current_period(PeriodKind.ROLLING_30_DAYS, uow.now(), config.timezone)
    if await rolling.is_built(uow.session, tenant, window.label):
        return False
    await rolling.lock(uow.session, tenant, exclusive=True)
    if await rolling.is_built(uow.session, tenant, window.label):
        return False  # another replica built it while we waited
    assert window.first_day is not None
    await rolling.build(
        uow.session, tenant, window.label, window.first_day, window.end_day, uow.now()
    )
    return True


def encode_cursor(entry: RankedStanding) -> str:
    raw = json.dumps(
        [entry.score, entry.reached_at.isoformat(), entry.ambassador_id, entry.position, entry.rank]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> RankedStanding:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        score, at, who, position, rank = json.loads(base64.urlsafe_b64decode(padded))
        return RankedStanding(
            int(rank), int(position), str(who), int(score), datetime.fromisoformat(at)
        )
    except (ValueError, TypeError) as exc:
        raise Invalid("this cursor is not one we gave", slug="invalid-cursor") from exc


async def leaderboard(
    uow: Uow,
    principal: Principal,
    request: PeriodRequest,
    segment: Segment,
    limit: int,
    cursor: str | None,
) -> BoardPage:
    config = await tenant_config(uow, principal.tenant)
    period = period_of(request, config, uow)
    last = decode_cursor(cursor) if cursor else None
    after = None if last is None else store.Row(last.ambassador_id, last.score, last.reached_at)
    rows = await store.page(
        uow.session, await source_of(uow, principal.tenant, period), segment, after, limit + 1
    )
    entries: list[RankedStanding] = []
    previous = last
    for row in rows[:limit]:
        position = 1 if previous is None else previous.position + 1
        tied = previous is not None and previous.score == row.score
        rank = previous.rank if tied and previous is not None else position
        previous = RankedStanding(rank, position, row.ambassador_id, row.score, row.reached_at)
        entries.append(previous)
    next_cursor = encode_cursor(entries[-1]) if len(rows) > limit and entries else None
    return BoardPage(period, tuple(entries), next_cursor)


async def own_rank(
    uow: Uow, principal: Principal, request: PeriodRequest, segment: Segment
) -> tuple[Period, OwnRank]:
    """The caller's rank counted against the public board (domain own_rank): a hidden person
    sees the rank they would have if they showed themselves."""
    config = await tenant_config(uow, principal.tenant)
    period = period_of(request, config, uow)
    who = await me(uow, principal)
    source = await source_of(uow, principal.tenant, period)
    mine = await store.score_of(uow.session, source, who) or store.Row(who, 0, uow.now())
    higher, others = await store.standing_counts(uow.session, source, segment, mine.score, who)
    prefs = await people.prefs(uow.session, principal.tenant, who)
    hidden = bool(prefs and prefs.hidden)
    return period, OwnRank(
        ambassador_id=who,
        score=mine.score,
        rank=rank_from_count(higher),
        out_of=others + 1,
        hidden=hidden,
        listed=not hidden and mine.score > 0,
    )
