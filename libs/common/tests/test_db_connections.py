"""Pooled connections against real PostgreSQL: one killed while idle in the pool (a database
restart, an administrator's pg_terminate_backend) is replaced before anyone uses it, and an
autocommit connection's statement is committed on its own."""

from sqlalchemy import text

from resonance.common.db import Database
from resonance.devstack.testing import Infra


async def _backend_pid(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(text("select pg_backend_pid()"))).scalar_one())


async def test_a_connection_killed_in_the_pool_is_replaced_unseen(infra: Infra) -> None:
    url = infra.new_database("metrics")
    db, admin = Database(url, pool_size=1), Database(url, pool_size=1)
    try:
        killed = await _backend_pid(db)  # the pool now holds this one connection
        async with admin.transaction() as session:
            await session.execute(text("select pg_terminate_backend(:pid, 5000)"), {"pid": killed})
        # The checkout ping finds it dead: a new connection serves the transaction, no error.
        assert await _backend_pid(db) != killed
        # The replacement is kept: the next transaction reuses it (pinged, not reopened).
        assert await _backend_pid(db) == await _backend_pid(db)
    finally:
        await db.dispose()
        await admin.dispose()


async def test_an_autocommit_statement_is_committed_on_its_own(infra: Infra) -> None:
    url = infra.new_database("metrics")
    db, other = Database(url), Database(url)
    try:
        async with db.transaction() as session:
            await session.execute(text("create table marks (n int)"))
        async with db.autocommit() as conn:
            await conn.execute(text("insert into marks values (1)"))
            # Seen from another connection while this one is still checked out: committed.
            async with other.session() as session:
                seen = (await session.execute(text("select count(*) from marks"))).scalar()
            assert seen == 1
    finally:
        await db.dispose()
        await other.dispose()
