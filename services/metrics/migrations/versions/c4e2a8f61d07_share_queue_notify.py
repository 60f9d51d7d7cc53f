"""share queue: NOTIFY share_queue when rows are committed, so folds in other processes wake

Revision ID: c4e2a8f61d07
Revises: b3f9d1c7e5a2
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4e2a8f61d07"
down_revision: str | None = "b3f9d1c7e5a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Per statement, not per row: one notification per poll taken in. PostgreSQL delivers it
    # at commit and folds identical notifications of one transaction into one.
    op.execute(
        "CREATE FUNCTION share_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify('share_queue', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER share_queue_notify AFTER INSERT ON share_queue "
        "FOR EACH STATEMENT EXECUTE FUNCTION share_queue_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER share_queue_notify ON share_queue")
    op.execute("DROP FUNCTION share_queue_notify()")
