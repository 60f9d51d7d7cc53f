"""Point rules, the ledger, balances, cap counters and calendar board scores."""

from datetime import datetime

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resonance.metrics.store.tables_gamification import (
    AwardCounter,
    BoardScore,
    LedgerRow,
    PointBalance,
    PointRulesRow,
)

_ledger: Table = LedgerRow.__table__
_balances: Table = PointBalance.__table__
_counters: Table = AwardCounter.__table__
_boards: Table = BoardScore.__table__


def share_clicks_key(share_id: str) -> str:
    return f"clickshare:{share_id}"


def day_clicks_key(ambassador_id: str, day: str) -> str:
    return f"clickday:{ambassador_id}:{day}"


def milestone_key(share_id: str) -> str:
    return f"milestone:{share_id}"


async def rules_history(session: AsyncSession, tenant: str) -> list[PointRulesRow]:
    return list(
        (
            await session.execute(
                select(PointRulesRow)
                .where(PointRulesRow.tenant == tenant)
                .order_by(PointRulesRow.version)
            )
        ).scalars()
    )


async def rules_page(
    session: AsyncSession, tenant: str, after: int | None, limit: int
) -> list[PointRulesRow]:
    """Versions in order (the primary key), strictly after `after`."""
    query = select(PointRulesRow).where(PointRulesRow.tenant == tenant)
    if after is not None:
        query = query.where(PointRulesRow.version > after)
    query = query.order_by(PointRulesRow.version).limit(limit)
    return list((await session.execute(query)).scalars())


async def insert_entry(session: AsyncSession, values: dict[str, object]) -> bool:
    """Adds a ledger row unless its key is already there (then False: nothing earned)."""
    inserted = await session.execute(
        insert(_ledger).values(values).on_conflict_do_nothing().returning(_ledger.c.id)
    )
    return inserted.first() is not None


async def add_to_balance(
    session: AsyncSession,
    tenant: str,
    ambassador_id: str,
    *,
    earned: int = 0,
    spent: int = 0,
    held: int = 0,
) -> None:
    statement = insert(_balances).values(
        tenant=tenant, ambassador_id=ambassador_id, earned=earned, spent=spent, held=held
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_balances.primary_key),
            set_={
                "earned": _balances.c.earned + statement.excluded.earned,
                "spent": _balances.c.spent + statement.excluded.spent,
                "held": _balances.c.held + statement.excluded.held,
            },
        )
    )


async def balance(
    session: AsyncSession, tenant: str, ambassador_id: str, *, for_update: bool = False
) -> PointBalance | None:
    query = select(PointBalance).where(
        PointBalance.tenant == tenant, PointBalance.ambassador_id == ambassador_id
    )
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def lock_balance(session: AsyncSession, tenant: str, ambassador_id: str) -> PointBalance:
    """The person's balance row, created if missing, locked until the transaction ends:
    concurrent redemptions by one person queue here, so points are never overspent."""
    await session.execute(
        insert(_balances)
        .values(tenant=tenant, ambassador_id=ambassador_id, earned=0, spent=0, held=0)
        .on_conflict_do_nothing()
    )
    found = await balance(session, tenant, ambassador_id, for_update=True)
    assert found is not None
    await session.refresh(found)
    return found


async def counter_value(session: AsyncSession, tenant: str, key: str) -> int:
    found = await session.execute(
        select(_counters.c.value).where(
            _counters.c.tenant == tenant, _counters.c.counter_key == key
        )
    )
    value = found.scalar_one_or_none()
    return 0 if value is None else int(value)


async def add_to_counter(session: AsyncSession, tenant: str, key: str, amount: int) -> None:
    statement = insert(_counters).values(tenant=tenant, counter_key=key, value=amount)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_counters.primary_key),
            set_={"value": _counters.c.value + statement.excluded.value},
        )
    )


async def raise_counter(session: AsyncSession, tenant: str, key: str, value: int) -> None:
    statement = insert(_counters).values(tenant=tenant, counter_key=key, value=value)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_counters.primary_key),
            set_={"value": func.greatest(_counters.c.value, statement.excluded.value)},
        )
    )


async def add_board_score(
    session: AsyncSession,
    tenant: str,
    kind: str,
    label: str,
    ambassador_id: str,
    amount: int,
    at: datetime,
) -> None:
    statement = insert(_boards).values(
        tenant=tenant,
        kind=kind,
        label=label,
        ambassador_id=ambassador_id,
        score=amount,
        reached_at=at,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_boards.primary_key),
            set_={
                "score": _boards.c.score + statement.excluded.score,
                "reached_at": func.greatest(_boards.c.reached_at, statement.excluded.reached_at),
            },
        )
    )


async def add_board_scores(
    session: AsyncSession,
    tenant: str,
    kinds: list[str],
    labels: list[str],
    ambassador_id: str,
    amount: int,
    at: datetime,
) -> None:
    """The same points on several boards in one statement."""
    statement = insert(_boards).values(
        [
            {
                "tenant": tenant,
                "kind": kind,
                "label": label,
                "ambassador_id": ambassador_id,
                "score": amount,
                "reached_at": at,
            }
            for kind, label in zip(kinds, labels, strict=True)
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_boards.primary_key),
            set_={
                "score": _boards.c.score + statement.excluded.score,
                "reached_at": func.greatest(_boards.c.reached_at, statement.excluded.reached_at),
            },
        )
    )


async def ledger_page(
    session: AsyncSession, tenant: str, ambassador_id: str, before_id: int | None, limit: int
) -> list[LedgerRow]:
    query = select(LedgerRow).where(
        LedgerRow.tenant == tenant, LedgerRow.ambassador_id == ambassador_id
    )
    if before_id is not None:
        query = query.where(LedgerRow.id < before_id)
    query = query.order_by(LedgerRow.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


# Many rows at once (a consumer poll): statements compiled once and cached, run as executemany;
# callers sum rows per key first (a statement may not update one row twice).


async def insert_entries_many(session: AsyncSession, rows: list[dict[str, object]]) -> set[str]:
    """`insert_entry` for many rows (same columns); returns the keys actually written."""
    if not rows:
        return set()
    inserted = await session.execute(
        insert(_ledger).on_conflict_do_nothing().returning(_ledger.c.key), rows
    )
    return {str(key) for key in inserted.scalars()}


async def add_to_balances(session: AsyncSession, tenant: str, earned: dict[str, int]) -> None:
    if not earned:
        return
    statement = insert(_balances)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_balances.primary_key),
            set_={"earned": _balances.c.earned + statement.excluded.earned},
        ).returning(_balances.c.earned),
        [
            {"tenant": tenant, "ambassador_id": who, "earned": amount, "spent": 0, "held": 0}
            for who, amount in earned.items()
        ],
    )


async def add_board_scores_many(
    session: AsyncSession, tenant: str, scores: dict[tuple[str, str, str], tuple[int, datetime]]
) -> None:
    """Adds to many board rows: (kind, label, ambassador) -> (points, time of the last)."""
    if not scores:
        return
    statement = insert(_boards)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_boards.primary_key),
            set_={
                "score": _boards.c.score + statement.excluded.score,
                "reached_at": func.greatest(_boards.c.reached_at, statement.excluded.reached_at),
            },
        ).returning(_boards.c.score),  # RETURNING: sent as multi-row VALUES, not row by row
        [
            {
                "tenant": tenant,
                "kind": kind,
                "label": label,
                "ambassador_id": who,
                "score": amount,
                "reached_at": at,
            }
            # Sorted, so two transactions lock shared rows in the same order.
            for (kind, label, who), (amount, at) in sorted(scores.items())
        ],
    )
