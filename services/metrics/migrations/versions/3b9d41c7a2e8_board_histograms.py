"""board histograms (people per score) and per-person months, kept by triggers

Revision ID: 3b9d41c7a2e8
Revises: ebe0a8e246c5
Create Date: 2026-12-01 15:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b9d41c7a2e8"
down_revision: str | None = "ebe0a8e246c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Statement-level triggers with transition tables: a multi-row upsert moves the kept rows once
# per statement (grouped), not once per row; any writer (points, rolling build, erasure's
# re-keying and deletes, bulk loads) keeps them right. Rows are written in key order, so two
# transactions lock shared rows in the same order.
HISTOGRAM_MOVES = """
  INSERT INTO board_histograms (tenant, kind, label, score, people)
  SELECT tenant, kind, label, score, sum(d) FROM ({moves}) moves
  GROUP BY tenant, kind, label, score HAVING sum(d) <> 0 ORDER BY tenant, kind, label, score
  ON CONFLICT (tenant, kind, label, score)
  DO UPDATE SET people = board_histograms.people + excluded.people;
"""
HISTOGRAM_OLD = "SELECT tenant, kind, label, score, -1 AS d FROM old_rows WHERE score > 0"
HISTOGRAM_NEW = "SELECT tenant, kind, label, score, 1 AS d FROM new_rows WHERE score > 0"

MONTHLY_MOVES = """
  INSERT INTO ambassador_monthly (tenant, month, ambassador_id, shares, contributions)
  SELECT tenant, month, ambassador_id, sum(shares), sum(contributions) FROM ({moves}) moves
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


# A person-month left at nothing goes, so an erased person's id does not stay behind after
# their rows move to an anonymous id.
MONTHLY_EMPTIED = """
  DELETE FROM ambassador_monthly m USING old_rows o WHERE m.tenant = o.tenant
  AND m.month = CAST(date_trunc('month', o.day) AS date) AND m.ambassador_id = o.ambassador_id
  AND m.shares = 0 AND m.contributions = 0;
"""


def _function(name: str, moves: str, old: str, new: str, emptied: str = "") -> str:
    """One function for the three triggers; each branch names only the transition tables
    its event has (PL/pgSQL plans a statement when it first runs it)."""
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {moves.format(moves=new)} "
        f"ELSIF TG_OP = 'UPDATE' THEN {moves.format(moves=old + ' UNION ALL ' + new)} {emptied} "
        f"ELSE {moves.format(moves=old)} {emptied} END IF; RETURN NULL; END $$"
    )


def _triggers(table: str, function: str) -> list[str]:
    """Transition tables allow one event per trigger: three triggers, one function."""
    return [
        f"CREATE TRIGGER {function}_insert AFTER INSERT ON {table} "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {function}_delete AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {function}()",
    ]


def upgrade() -> None:
    op.create_table(
        "board_histograms",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "kind", "label", "score"),
    )
    op.create_table(
        "ambassador_monthly",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("ambassador_id", sa.String(), nullable=False),
        sa.Column("shares", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("contributions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "month", "ambassador_id"),
    )
    op.execute(_function("board_histogram_move", HISTOGRAM_MOVES, HISTOGRAM_OLD, HISTOGRAM_NEW))
    op.execute(
        _function(
            "ambassador_monthly_move", MONTHLY_MOVES, MONTHLY_OLD, MONTHLY_NEW, MONTHLY_EMPTIED
        )
    )
    for statement in _triggers("board_scores", "board_histogram_move"):
        op.execute(statement)
    for statement in _triggers("ambassador_daily", "ambassador_monthly_move"):
        op.execute(statement)
    op.execute(
        "INSERT INTO board_histograms (tenant, kind, label, score, people) "
        "SELECT tenant, kind, label, score, count(*) FROM board_scores WHERE score > 0 "
        "GROUP BY tenant, kind, label, score"
    )
    op.execute(
        "INSERT INTO ambassador_monthly (tenant, month, ambassador_id, shares, contributions) "
        "SELECT tenant, CAST(date_trunc('month', day) AS date), ambassador_id, sum(shares), "
        "sum(contributions) FROM ambassador_daily GROUP BY 1, 2, 3"
    )


def downgrade() -> None:
    for table, function in (
        ("board_scores", "board_histogram_move"),
        ("ambassador_daily", "ambassador_monthly_move"),
    ):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {function}_{event} ON {table}")
        op.execute(f"DROP FUNCTION {function}()")
    op.drop_table("ambassador_monthly")
    op.drop_table("board_histograms")
