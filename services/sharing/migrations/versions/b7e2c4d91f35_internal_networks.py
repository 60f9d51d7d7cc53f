"""sharing policy: internal address ranges

Revision ID: b7e2c4d91f35
Revises: 8c1d2e7f4a90
Create Date: 2026-12-01 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b7e2c4d91f35"
down_revision: str | None = "8c1d2e7f4a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sharing_policies",
        sa.Column(
            "internal_networks",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("sharing_policies", "internal_networks")
