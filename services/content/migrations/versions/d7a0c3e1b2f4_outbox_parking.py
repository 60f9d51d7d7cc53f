"""outbox rows the relay cannot publish are parked with their error

Revision ID: d7a0c3e1b2f4
Revises: 6b2e292ea75c
"""

from collections.abc import Sequence

from resonance.common import plumbing_migrations

revision: str = "d7a0c3e1b2f4"
down_revision: str | None = "6b2e292ea75c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    plumbing_migrations.add_outbox_parking()


def downgrade() -> None:
    plumbing_migrations.drop_outbox_parking()
