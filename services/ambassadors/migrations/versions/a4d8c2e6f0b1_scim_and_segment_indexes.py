"""indexes for SCIM filters and segment counts at HR scale (issue 8 item 11)

Each index holds exactly an expression the SQL of store/scim_filter.py or store/segments.py
compares (the planner matches an expression index only on an identical expression), and is
partial on the rows those queries read: live SCIM users (not deprovisioned, not erased) or
current employees (active, not erased). `co`/`sw`/`ew` compile to LIKE, which pg_trgm's GIN
operator class answers in any collation. pg_trgm ships with PostgreSQL (contrib) and is a
trusted extension since PostgreSQL 13: the owner of the service's database may create it
without superuser rights.

Revision ID: a4d8c2e6f0b1
Revises: f1e2d3c4b5a6
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4d8c2e6f0b1"
down_revision: str | None = "f1e2d3c4b5a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIVE = sa.text("scim_deleted IS false AND erased_at IS NULL")
CURRENT = sa.text("active IS true AND erased_at IS NULL")
USER_NAME = "lower(coalesce(scim ->> 'userName', user_name, email, employee_number, id))"
# Paged lists order by (created_at, id): an equality filter then walks the index in order.
SCIM_EQUALITY = {
    "ix_employees_scim_department": f"lower((scim -> '{ENTERPRISE}') ->> 'department')",
    "ix_employees_scim_family_name": "lower((scim -> 'name') ->> 'familyName')",
    "ix_employees_scim_external_id": "scim ->> 'externalId'",
}
SCIM_TRIGRAMS = {
    "ix_employees_scim_user_name_trgm": USER_NAME,
    "ix_employees_scim_display_name_trgm": "lower(scim ->> 'displayName')",
}
# Audience rules on the attributes with many values; the column itself is included so that
# a count on one rule is an index-only scan.
AUDIENCE = ("country", "brand", "entity", "site", "job_family")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in SCIM_EQUALITY.items():
        op.create_index(
            name,
            "employees",
            ["tenant", sa.text(f"({expression})"), "created_at", "id"],
            postgresql_where=LIVE,
        )
    for name, expression in SCIM_TRIGRAMS.items():
        op.create_index(
            name,
            "employees",
            [sa.text(f"({expression}) gin_trgm_ops")],
            postgresql_using="gin",
            postgresql_where=LIVE,
        )
    for column in AUDIENCE:
        op.create_index(
            f"ix_employees_current_{column}",
            "employees",
            ["tenant", sa.text(f"lower(btrim({column}))"), "created_at", "id"],
            postgresql_include=[column],
            postgresql_where=CURRENT,
        )
    # Funnel counts: current employees by id (and the last share, for "active") joined to a
    # programme's sent invitations and active enrolments (uq_enrolments_active), all
    # index-only.
    op.create_index(
        "ix_employees_current_id",
        "employees",
        ["tenant", "id"],
        postgresql_include=["last_share_at"],
        postgresql_where=CURRENT,
    )
    op.create_index(
        "ix_invitations_programme_sent",
        "invitations",
        ["tenant", "programme_id", "employee_id"],
        postgresql_where=sa.text("sent_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_invitations_programme_sent", table_name="invitations")
    op.drop_index("ix_employees_current_id", table_name="employees")
    for column in AUDIENCE:
        op.drop_index(f"ix_employees_current_{column}", table_name="employees")
    for name in (*SCIM_TRIGRAMS, *SCIM_EQUALITY):
        op.drop_index(name, table_name="employees")
    # The extension stays: other objects of the database may use it by now.
