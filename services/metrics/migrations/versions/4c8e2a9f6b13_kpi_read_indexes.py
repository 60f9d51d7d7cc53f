"""indexes the people KPIs read through: memberships per person covering their dates (one
index-only pass, no DISTINCT) and each person's share days (retention cohorts)

Revision ID: 4c8e2a9f6b13
Revises: f1e2d3c4b5a6
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4c8e2a9f6b13"
down_revision: str | None = "f1e2d3c4b5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBERSHIP_DATES = ["programme_id", "enrolled_at", "left_at", "invited_at"]


def upgrade() -> None:
    op.drop_index("ix_memberships_person", table_name="memberships")
    op.create_index(
        "ix_memberships_person",
        "memberships",
        ["tenant", "ambassador_id"],
        postgresql_include=MEMBERSHIP_DATES,
    )
    op.create_index(
        "ix_ambassador_daily_shared",
        "ambassador_daily",
        ["tenant", "ambassador_id", "day"],
        postgresql_where=sa.text("shares > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_ambassador_daily_shared", table_name="ambassador_daily")
    op.drop_index("ix_memberships_person", table_name="memberships")
    op.create_index("ix_memberships_person", "memberships", ["tenant", "ambassador_id"])
