"""member months: whether each person-month of activity was a member's (enrolled at some
moment of that local month), and people per (contributions, shared) among them per month,
kept by triggers

Revision ID: e5a7c3b9d2f1
Revises: 9d3f6a1c8e27

Participation and concentration over one month for the whole tenant then read a histogram
of at most a few hundred rows, not every person met with their month's activity (a join of
100,000 people: ~75 ms on its own). `member` is computed in the zone of `member_zones` (the
tenant's zone when the flags were last counted); a read in another zone, a person whose
enrolments leave gaps (`population_spans.gaps`, false here, counted from memberships at
read time) and any other period or segment read the activity rows (store/kpi_people.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a7c3b9d2f1"
down_revision: str | None = "9d3f6a1c8e27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Whether a person's gap-free span overlaps local month `m` of the tenant's member zone;
# false with no span, with gaps, or with no zone counted yet.
MEMBER = """
CREATE FUNCTION member_in_month(p_tenant text, p_person text, p_month date)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce((
    SELECT s.enrolled_at IS NOT NULL AND NOT s.gaps
      AND s.enrolled_at < CAST(p_month + interval '1 month' AS timestamp) AT TIME ZONE z.timezone
      AND (s.left_at IS NULL OR s.left_at >= CAST(p_month AS timestamp) AT TIME ZONE z.timezone)
    FROM population_spans s JOIN member_zones z ON z.tenant = s.tenant
    WHERE s.tenant = p_tenant AND s.ambassador_id = p_person), false)
$$
"""

# ambassador_monthly_move (revision 3b9d41c7a2e8) again, a new person-month's flag set as it
# is inserted (an existing row keeps its own: flags move when spans or the zone do).
MONTHLY_MOVES = """
  INSERT INTO ambassador_monthly (tenant, month, ambassador_id, shares, contributions, member)
  SELECT tenant, month, ambassador_id, sum(shares), sum(contributions),
    member_in_month(tenant, ambassador_id, month) FROM ({moves}) moves
  GROUP BY tenant, month, ambassador_id HAVING sum(shares) <> 0 OR sum(contributions) <> 0
  ORDER BY tenant, month, ambassador_id
  ON CONFLICT (tenant, month, ambassador_id) DO UPDATE SET
    shares = ambassador_monthly.shares + excluded.shares,
    contributions = ambassador_monthly.contributions + excluded.contributions;
"""
MONTHLY_OLD = (
    "SELECT tenant, CAST(date_trunc('month', day) AS date) AS month, ambassador_id, "
    "-shares AS shares, -contributions AS contributions FROM old_rows"
)
MONTHLY_NEW = (
    "SELECT tenant, CAST(date_trunc('month', day) AS date) AS month, ambassador_id, "
    "shares, contributions FROM new_rows"
)
MONTHLY_EMPTIED = """
  DELETE FROM ambassador_monthly m USING old_rows o WHERE m.tenant = o.tenant
  AND m.month = CAST(date_trunc('month', o.day) AS date) AND m.ambassador_id = o.ambassador_id
  AND m.shares = 0 AND m.contributions = 0;
"""

HISTOGRAM_MOVES = """
  INSERT INTO member_month_histograms (tenant, month, contributions, shared, people)
  SELECT tenant, month, contributions, shares > 0, sum(d) FROM ({moves}) moves
  GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant, month, contributions, shared)
  DO UPDATE SET people = member_month_histograms.people + excluded.people;
"""
HISTOGRAM_OLD = "SELECT tenant, month, contributions, shares, -1 AS d FROM old_rows WHERE member"
HISTOGRAM_NEW = "SELECT tenant, month, contributions, shares, 1 AS d FROM new_rows WHERE member"


def _function(name: str, moves: str, old: str, new: str, emptied: str = "") -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {moves.format(moves=new)} "
        f"ELSIF TG_OP = 'UPDATE' THEN {moves.format(moves=old + ' UNION ALL ' + new)} {emptied} "
        f"ELSE {moves.format(moves=old)} {emptied} END IF; RETURN NULL; END $$"
    )


def upgrade() -> None:
    op.create_table(
        "member_zones",
        sa.Column("tenant", sa.String(), primary_key=True),
        sa.Column("timezone", sa.String(), nullable=False),
    )
    op.create_table(
        "member_month_histograms",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("contributions", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("people", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "month", "contributions", "shared"),
    )
    # No zone is counted yet: every flag false, and reads use the rows until the boards job
    # (service/populations.ensure_zone) counts them in the tenant's zone.
    op.add_column(
        "ambassador_monthly",
        sa.Column("member", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(MEMBER)
    op.execute(
        _function(
            "ambassador_monthly_move", MONTHLY_MOVES, MONTHLY_OLD, MONTHLY_NEW, MONTHLY_EMPTIED
        )
    )
    op.execute(_function("member_month_move", HISTOGRAM_MOVES, HISTOGRAM_OLD, HISTOGRAM_NEW))
    for event, tables in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER member_month_move_{event.lower()} AFTER {event} "
            f"ON ambassador_monthly REFERENCING {tables} FOR EACH STATEMENT "
            "EXECUTE FUNCTION member_month_move()"
        )


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER member_month_move_{event} ON ambassador_monthly")
    op.execute("DROP FUNCTION member_month_move()")
    # The previous revision's function, without the flag.
    op.execute(
        _function(
            "ambassador_monthly_move",
            MONTHLY_MOVES.replace(", member)", ")").replace(
                ",\n    member_in_month(tenant, ambassador_id, month)", ""
            ),
            MONTHLY_OLD,
            MONTHLY_NEW,
            MONTHLY_EMPTIED,
        )
    )
    op.execute("DROP FUNCTION member_in_month(text, text, date)")
    op.drop_column("ambassador_monthly", "member")
    op.drop_table("member_month_histograms")
    op.drop_table("member_zones")
