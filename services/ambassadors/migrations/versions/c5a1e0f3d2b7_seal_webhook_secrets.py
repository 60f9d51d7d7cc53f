"""HR webhook secrets are stored sealed (Fernet), in a column that says so

Revision ID: c5a1e0f3d2b7
Revises: bbdee09afb46
Create Date: 2026-11-22 14:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c5a1e0f3d2b7"
down_revision: str | None = "bbdee09afb46"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No plaintext secret was ever deployed: the service was unreleased when this landed,
    # so there is nothing to seal here, only the column to rename.
    op.alter_column("hr_webhook_secrets", "secret", new_column_name="sealed_secret")


def downgrade() -> None:
    op.alter_column("hr_webhook_secrets", "sealed_secret", new_column_name="secret")
