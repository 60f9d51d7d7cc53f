"""population spans (one row per person: their memberships as one span) and retention marks
(per person and enrolment, the weeks after it in which they shared), kept by the fact
consumer; backfilled here from memberships and share days

Revision ID: 8e5b2d7f9c31
Revises: 4c8e2a9f6b13
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e5b2d7f9c31"
down_revision: str | None = "4c8e2a9f6b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What store/population_spans.py REFRESH computes, for every tenant.
SPANS = """
  INSERT INTO population_spans (tenant, ambassador_id, enrolled_at, targeted_at, left_at, gaps)
  SELECT m.tenant, m.ambassador_id, min(m.enrolled_at), min(coalesce(m.invited_at, m.enrolled_at)),
    CASE WHEN bool_or(m.enrolled_at IS NOT NULL AND m.left_at IS NULL) THEN NULL
      ELSE max(m.left_at) FILTER (WHERE m.enrolled_at IS NOT NULL) END,
    coalesce(bool_or(m.enrolled_at > m.reach OR m.left_at < m.enrolled_at), false)
  FROM (SELECT m.tenant, m.ambassador_id, m.invited_at, m.enrolled_at, m.left_at,
      max(coalesce(m.left_at, 'infinity')) OVER (PARTITION BY m.tenant, m.ambassador_id
        ORDER BY m.enrolled_at, m.programme_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        AS reach
    FROM memberships m) m
  GROUP BY m.tenant, m.ambassador_id
"""

# What store/retention_marks.py REFRESH computes, for every tenant, in the tenant's zone (UTC,
# the service's documented default, for a tenant that never chose one: a deployment with
# another default reads through share days until the marks are refreshed in its zone).
MARKS = """
  INSERT INTO retention_marks (tenant, ambassador_id, programme_id, timezone, enrolled_day, weeks)
  SELECT e.tenant, e.ambassador_id, e.programme_id, e.tz, e.eday, coalesce((
    SELECT bit_or(CAST(1 AS bigint) << ((d.day - e.eday) / 7)) FROM ambassador_daily d
    WHERE d.tenant = e.tenant AND d.ambassador_id = e.ambassador_id AND d.shares > 0
    AND d.day >= e.eday AND d.day < e.eday + 7 * 63), 0)
  FROM (
    SELECT m.tenant, m.ambassador_id, m.programme_id, z.tz,
      CAST(m.enrolled_at AT TIME ZONE z.tz AS date) AS eday
    FROM memberships m JOIN zones z ON z.tenant = m.tenant
    WHERE m.enrolled_at IS NOT NULL AND m.programme_id <> ''
    UNION ALL
    SELECT m.tenant, m.ambassador_id, '', z.tz,
      CAST(min(m.enrolled_at) AT TIME ZONE z.tz AS date)
    FROM memberships m JOIN zones z ON z.tenant = m.tenant
    WHERE m.enrolled_at IS NOT NULL GROUP BY m.tenant, m.ambassador_id, z.tz
  ) e
"""
ZONES = """
  CREATE TEMPORARY TABLE zones AS
  SELECT t.tenant, coalesce(s.timezone, 'UTC') AS tz
  FROM (SELECT DISTINCT tenant FROM memberships) t
  LEFT JOIN tenant_settings s ON s.tenant = t.tenant
"""


def upgrade() -> None:
    op.create_table(
        "population_spans",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("ambassador_id", sa.String(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("targeted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gaps", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "ambassador_id"),
    )
    op.create_index(
        "ix_population_spans_gaps",
        "population_spans",
        ["tenant", "ambassador_id"],
        postgresql_where=sa.text("gaps"),
    )
    op.create_table(
        "retention_marks",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("ambassador_id", sa.String(), nullable=False),
        sa.Column("programme_id", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("enrolled_day", sa.Date(), nullable=False),
        sa.Column("weeks", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "ambassador_id", "programme_id"),
    )
    op.create_index(
        "ix_retention_marks_cohort",
        "retention_marks",
        ["tenant", "programme_id", "enrolled_day"],
        postgresql_include=["ambassador_id", "weeks"],
    )
    op.create_index("ix_retention_marks_zone", "retention_marks", ["tenant", "timezone"])
    op.execute(SPANS)
    op.execute(ZONES)
    op.execute(MARKS)
    op.execute("DROP TABLE zones")


def downgrade() -> None:
    op.drop_index("ix_retention_marks_zone", table_name="retention_marks")
    op.drop_index("ix_retention_marks_cohort", table_name="retention_marks")
    op.drop_table("retention_marks")
    op.drop_index("ix_population_spans_gaps", table_name="population_spans")
    op.drop_table("population_spans")
