"""indexes on the dates housekeeping deletes by (outbox.sent_at, inbox.processed_at,
idempotency_keys.created_at)

Revision ID: f1e2d3c4b5a6
Revises: e3b9f1a7c2d5
"""

from collections.abc import Sequence

from resonance.common import plumbing_migrations

revision: str = "f1e2d3c4b5a6"
down_revision: str | None = "e3b9f1a7c2d5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    plumbing_migrations.add_housekeeping_indexes()


def downgrade() -> None:
    plumbing_migrations.drop_housekeeping_indexes()
