"""hardening: source back-off, projection versions and erasure tombstones, no tenant switch
for private links

Revision ID: a4c1e9f2b7d3
Revises: d7a0c3e1b2f4
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a4c1e9f2b7d3"
down_revision: str | None = "d7a0c3e1b2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sources", sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.add_column("ambassadors", sa.Column("event_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "erased_ambassadors",
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ambassador_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "ambassador_key"),
    )
    # Private links are the operator's setting (RESONANCE_CONTENT_ALLOW_PRIVATE_LINKS) now.
    op.drop_column("tenant_settings", "allow_private_links")


def downgrade() -> None:
    op.add_column("tenant_settings", sa.Column("allow_private_links", sa.Boolean(), nullable=True))
    op.drop_table("erased_ambassadors")
    op.drop_column("ambassadors", "event_at")
    op.drop_column("sources", "failures")
