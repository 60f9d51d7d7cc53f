"""Issue 8, item 12 (plumbing part): housekeeping deletes expired plumbing rows in bounded
batches, through indexes on the dates it filters."""

from typing import Any

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event, text

from resonance.common import plumbing_migrations
from resonance.common.db import Database
from resonance.common.service import purge_expired
from resonance.devstack.testing import Infra


async def _indexes(db: Database) -> dict[str, str]:
    async with db.session() as session:
        rows = await session.execute(
            text(
                "select indexname, indexdef from pg_indexes "
                "where tablename in ('outbox', 'inbox', 'idempotency_keys')"
            )
        )
        return {name: definition for name, definition in rows.all()}


def _run_step(connection: Connection) -> None:
    with Operations.context(MigrationContext.configure(connection)):
        plumbing_migrations.add_housekeeping_indexes()


async def test_housekeeping_indexes_are_added_idempotently(infra: Infra) -> None:
    db = Database(infra.new_database("metrics"))
    for _ in range(2):  # a second run (a database that has them already) changes nothing
        async with db.engine.begin() as conn:
            await conn.run_sync(_run_step)
    indexes = await _indexes(db)
    assert "(sent_at)" in indexes["ix_outbox_sent_at"]
    assert "(created_at)" in indexes["ix_idempotency_keys_created_at"]
    assert "(processed_at)" in indexes["ix_inbox_processed_at"]
    await db.dispose()


async def test_purge_deletes_in_batches_and_keeps_recent_rows(infra: Infra) -> None:
    db = Database(infra.new_database("metrics"))
    async with db.transaction() as s:
        # 12,000 outbox rows sent 8 days ago (expired: kept 7 days), 10 sent yesterday, and 5
        # never sent (NULL sent_at: never purged, they are still to be published or parked).
        await s.execute(
            text(
                "insert into outbox (event_id, topic, key, shard, event_type, tenant, payload,"
                " sent_at) select 'old-' || i, 't', 'k', 0, 'x', 'acme', '{}',"
                " now() - interval '8 days' from generate_series(1, 12000) i"
            )
        )
        await s.execute(
            text(
                "insert into outbox (event_id, topic, key, shard, event_type, tenant, payload,"
                " sent_at) select 'new-' || i, 't', 'k', 0, 'x', 'acme', '{}',"
                " now() - interval '1 day' from generate_series(1, 10) i"
            )
        )
        await s.execute(
            text(
                "insert into outbox (event_id, topic, key, shard, event_type, tenant, payload)"
                " select 'unsent-' || i, 't', 'k', 0, 'x', 'acme', '{}'"
                " from generate_series(1, 5) i"
            )
        )
        # Inbox: 3 rows 31 days old (kept 30), 2 recent. Idempotency keys: 4 two days old
        # (kept 1 day), 1 recent.
        await s.execute(
            text(
                "insert into inbox (consumer, event_id, processed_at) select 'c', 'e' || i,"
                " now() - case when i <= 3 then interval '31 days' else interval '1 hour' end"
                " from generate_series(1, 5) i"
            )
        )
        await s.execute(
            text(
                "insert into idempotency_keys (tenant, principal, key, request_hash, created_at)"
                " select 'acme', 'p', 'k' || i, 'h',"
                " now() - case when i <= 4 then interval '2 days' else interval '1 minute' end"
                " from generate_series(1, 5) i"
            )
        )

    deletes: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("DELETE FROM outbox"):
            deletes.append(cursor.rowcount)

    event.listen(db.engine.sync_engine, "after_cursor_execute", count)
    purged = await purge_expired(db, batch_size=5000)
    # 12,000 expired rows at 5,000 per statement: 5,000 + 5,000 + 2,000.
    assert deletes == [5000, 5000, 2000]
    assert purged == {"outbox": 12_000, "idempotency_keys": 4, "inbox": 3}
    async with db.session() as s:
        left = await s.execute(text("select count(*) from outbox"))
        assert left.scalar() == 15  # 10 recent + 5 unsent
        assert (await s.execute(text("select count(*) from inbox"))).scalar() == 2
        assert (await s.execute(text("select count(*) from idempotency_keys"))).scalar() == 1
    assert await purge_expired(db) == {"outbox": 0, "idempotency_keys": 0, "inbox": 0}
    await db.dispose()
