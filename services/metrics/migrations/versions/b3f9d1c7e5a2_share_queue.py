"""share queue: share.made taken in by the consumer, folded into the aggregates by a job

Revision ID: b3f9d1c7e5a2
Revises: 8e5b2d7f9c31
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3f9d1c7e5a2"
down_revision: str | None = "8e5b2d7f9c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "share_queue",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("ambassador_id", sa.String(), nullable=False),
        sa.Column("data", sa.String(), nullable=False),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("parked", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )


def downgrade() -> None:
    op.drop_table("share_queue")
