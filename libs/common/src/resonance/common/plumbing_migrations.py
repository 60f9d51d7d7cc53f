"""Migration steps for the plumbing tables (outbox, inbox, idempotency keys), written once and
called from every service's Alembic tree instead of copied into each.

Usage in a service's revision:

    from resonance.common import plumbing_migrations

    def upgrade() -> None:
        plumbing_migrations.create_plumbing_tables()
"""

from alembic import op
from sqlalchemy import MetaData

from resonance.common.plumbing import plumbing_tables


def create_plumbing_tables() -> None:
    """Creates the plumbing tables as `plumbing.plumbing_tables` declares them today."""
    metadata = MetaData()
    plumbing_tables(metadata)
    metadata.create_all(op.get_bind())


def drop_plumbing_tables() -> None:
    metadata = MetaData()
    plumbing_tables(metadata)
    metadata.drop_all(op.get_bind())


def add_outbox_parking() -> None:
    """Columns for rows the relay cannot publish (too large, refused by the broker): they are
    parked with their error instead of blocking every later row. Idempotent, so a database
    created from today's `create_plumbing_tables` passes through it unchanged."""
    op.execute(
        "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS parked_at timestamptz, "
        "ADD COLUMN IF NOT EXISTS error text"
    )


def drop_outbox_parking() -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN IF EXISTS parked_at, DROP COLUMN IF EXISTS error")


# (index, table, column): the dates housekeeping deletes by; without them every hourly purge
# scans the whole table.
HOUSEKEEPING_INDEXES = (
    ("ix_outbox_sent_at", "outbox", "sent_at"),
    ("ix_idempotency_keys_created_at", "idempotency_keys", "created_at"),
    ("ix_inbox_processed_at", "inbox", "processed_at"),
)


def add_housekeeping_indexes() -> None:
    """Indexes on the dates housekeeping filters. Idempotent (IF NOT EXISTS), so a database
    created from today's `create_plumbing_tables`, which declares them, passes unchanged."""
    for index, table, column in HOUSEKEEPING_INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})")


def drop_housekeeping_indexes() -> None:
    for index, _, _ in HOUSEKEEPING_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {index}")
