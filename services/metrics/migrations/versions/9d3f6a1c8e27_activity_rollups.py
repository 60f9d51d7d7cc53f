"""activity rollups: daily_activity summed per tenant or programme, day, network and family,
and per item by day and by month, kept by statement triggers

Revision ID: 9d3f6a1c8e27
Revises: c4e2a8f61d07

A programme manager's KPIs over a month read a few hundred rows (days x networks x
families) or one row per item, instead of the month's daily_activity rows (one per person,
item, network and day: about as many as the month's shares). `scope` is '' for the whole
tenant, else one programme the row's person was in (a row counts under each of its
programmes, as the segment filter `programmes && ARRAY[...]` counts it for one programme).
Segments on other attributes keep reading daily_activity (store/kpi_activity.py).
"""

# Every name interpolated below is one of ours (COUNTERS, ROLLUPS).
# ruff: noqa: S608

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d3f6a1c8e27"
down_revision: str | None = "c4e2a8f61d07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = (
    "shares",
    "self_reported_shares",
    "automatic_shares",
    "failed_shares",
    "clicks",
    "internal_clicks",
    "conversions",
    "applications",
    "leads",
    "approved_submissions",
    "impressions",
    "measured_posts",
    "estimated_impressions",
    "estimated_posts",
    "reactions",
    "comments",
    "reshares",
    "post_clicks",
)

# table -> its key beyond (tenant, scope), as (column, SQL over a daily_activity row, type)
ROLLUPS: dict[str, tuple[tuple[str, str, sa.types.TypeEngine[object]], ...]] = {
    "activity_days": (
        ("day", "day", sa.Date()),
        ("network", "network", sa.String()),
        ("family", "coalesce(family, '')", sa.String()),
    ),
    "activity_item_days": (
        ("day", "day", sa.Date()),
        ("content_id", "content_id", sa.String()),
    ),
    "activity_item_months": (
        ("month", "CAST(date_trunc('month', day) AS date)", sa.Date()),
        ("content_id", "content_id", sa.String()),
    ),
}

# A row counts for the tenant ('') and for each of its programmes.
SCOPES = "CROSS JOIN LATERAL unnest(array_prepend(CAST('' AS text), programmes)) AS s(scope)"


def _rows(table: str, source: str, sign: str) -> str:
    keys = ", ".join(f"{sql} AS {name}" for name, sql, _ in ROLLUPS[table])
    values = ", ".join(f"{sign}{c} AS {c}" for c in COUNTERS)
    return f"SELECT tenant, s.scope, {keys}, {values} FROM {source} {SCOPES}"


def _moves(table: str, sources: tuple[tuple[str, str], ...]) -> str:
    """One upsert of the grouped moves of `sources` (transition table, sign) into `table`.
    Rows are written in key order: two transactions lock shared rows in the same order."""
    key = ", ".join(["tenant", "scope", *(name for name, _, _ in ROLLUPS[table])])
    moves = " UNION ALL ".join(_rows(table, source, sign) for source, sign in sources)
    sums = ", ".join(f"sum({c})" for c in COUNTERS)
    changed = " OR ".join(f"sum({c}) <> 0" for c in COUNTERS)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    return (
        f"INSERT INTO {table} ({key}, {', '.join(COUNTERS)}) "
        f"SELECT {key}, {sums} FROM ({moves}) moves GROUP BY {key} HAVING {changed} "
        f"ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {updates};"
    )


def _all_moves(sources: tuple[tuple[str, str], ...]) -> str:
    return " ".join(_moves(table, sources) for table in ROLLUPS)


FUNCTION = (
    "CREATE FUNCTION activity_rollups_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {_all_moves((('new_rows', ''),))} "
    f"ELSIF TG_OP = 'UPDATE' THEN {_all_moves((('old_rows', '-'), ('new_rows', '')))} "
    f"ELSE {_all_moves((('old_rows', '-'),))} END IF; RETURN NULL; END $$"
)


def upgrade() -> None:
    for table, keys in ROLLUPS.items():
        op.create_table(
            table,
            sa.Column("tenant", sa.String(), nullable=False),
            sa.Column("scope", sa.String(), nullable=False),
            *(sa.Column(name, kind, nullable=False) for name, _, kind in keys),
            *(
                sa.Column(c, sa.BigInteger(), server_default=sa.text("0"), nullable=False)
                for c in COUNTERS
            ),
            sa.PrimaryKeyConstraint("tenant", "scope", *(name for name, _, _ in keys)),
        )
    op.execute(FUNCTION)
    for event, tables in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER activity_rollups_{event.lower()} AFTER {event} ON daily_activity "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION activity_rollups_move()"
        )
    for table in ROLLUPS:
        key = ", ".join(["tenant", "scope", *(name for name, _, _ in ROLLUPS[table])])
        op.execute(
            f"INSERT INTO {table} ({key}, {', '.join(COUNTERS)}) "
            f"SELECT {key}, {', '.join(f'sum({c})' for c in COUNTERS)} "
            f"FROM ({_rows(table, 'daily_activity', '')}) r GROUP BY {key}"
        )


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER activity_rollups_{event} ON daily_activity")
    op.execute("DROP FUNCTION activity_rollups_move()")
    for table in ROLLUPS:
        op.drop_table(table)
