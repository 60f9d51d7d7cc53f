"""Tables every service owns for reliable messaging and idempotent writes.

They are declared on the service's own metadata, so each service's Alembic tree creates
them in its own database.
"""

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


@dataclass(frozen=True)
class PlumbingTables:
    outbox: Table
    inbox: Table
    idempotency: Table


def plumbing_tables(metadata: MetaData) -> PlumbingTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", BigInteger, Identity(), primary_key=True),
        Column("event_id", Text, nullable=False, unique=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        # Rows of one key share a shard; a relay holds a shard's lock while sending, so
        # several relays can run without reordering events of one aggregate.
        Column("shard", SmallInteger, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("tenant", Text, nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True)),
        # A row the relay could not publish (too large, refused): set aside with its error so
        # the rows after it still flow; an operator fixes and re-queues it.
        Column("parked_at", DateTime(timezone=True)),
        Column("error", Text),
        Index("ix_outbox_unsent", "seq", postgresql_where=text("sent_at IS NULL")),
        # Housekeeping deletes by these dates (see plumbing_migrations.add_housekeeping_indexes).
        Index("ix_outbox_sent_at", "sent_at"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", Text, nullable=False),
        Column("event_id", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
        Index("ix_inbox_processed_at", "processed_at"),
    )
    idempotency = Table(
        "idempotency_keys",
        metadata,
        Column("tenant", Text, nullable=False),
        Column("principal", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("request_hash", Text, nullable=False),
        Column("status_code", Integer),
        Column("response_headers", JSONB),
        Column("response_body", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("completed_at", DateTime(timezone=True)),
        PrimaryKeyConstraint("tenant", "principal", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )
    return PlumbingTables(outbox=outbox, inbox=inbox, idempotency=idempotency)
