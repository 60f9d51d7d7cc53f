"""erasure tombstones, effective time of HR facts, audit of staff actions on personal data

Revision ID: e3b9f1a7c2d5
Revises: d7a0c3e1b2f4
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e3b9f1a7c2d5"
down_revision: str | None = "d7a0c3e1b2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("employees", sa.Column("hr_effective_at", sa.DateTime(timezone=True)))
    op.create_table(
        "erasure_tombstones",
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("identity_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "identity_hash"),
    )
    op.create_table(
        "personal_data_audit",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "actor_roles",
            postgresql.JSONB(),
            nullable=False,
            server_default=sa.text("'[]'::jsonb"),
        ),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("employee_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_personal_data_audit_tenant_at", "personal_data_audit", ["tenant", "at", "id"]
    )
    # SCIM `userName eq` (Entra asks it before every create) answered from an index over the
    # userName a User shows (store.scim_filter.shown_user_name).
    op.create_index(
        "ix_employees_scim_user_name",
        "employees",
        [
            "tenant",
            sa.text("lower(coalesce(scim ->> 'userName', user_name, email, employee_number, id))"),
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_employees_scim_user_name", table_name="employees")
    op.drop_index("ix_personal_data_audit_tenant_at", table_name="personal_data_audit")
    op.drop_table("personal_data_audit")
    op.drop_table("erasure_tombstones")
    op.drop_column("employees", "hr_effective_at")
