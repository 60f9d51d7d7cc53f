"""activity rollups: daily_activity summed per tenant or programme, day, network and family,
and per item by day and by month; sharers per day; kept by statement triggers

Revision ID: 9d3f6a1c8e27
Revises: c4e2a8f61d07

A programme manager's KPIs over a month read a few hundred rows (days x networks x
families) or one row per item, instead of the month's daily_activity rows (one per person,
item, network and day: about as many as the month's shares). `scope` is '' for the whole
tenant, else one programme the row's person was in ('programme:<id>': a row counts under
each of its programmes, as the segment filter `programmes && ARRAY[...]` counts it for one
programme) or, per day, one value of one attribute ('site:lyon'). Other segments keep
reading daily_activity (store/kpi_activity.py).
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
# And how many activity rows each sums (deleted rows leave zeros: a key is in a period when
# it sums rows there, as it would be read from the rows).
KEPT = (*COUNTERS, "activity_rows")

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

# A row counts for the tenant (''), for each of its programmes ('programme:<id>') and, in
# the per-day tables, for each attribute of the person it was written with ('site:<v>',
# 'brand:<v>', ...): a segment of one value of one field reads one scope. Items are kept
# per tenant and programme only (an item key times seven scopes is most of the fold's
# writes).
PROGRAMME_SCOPES = "ARRAY(SELECT 'programme:' || p FROM unnest(programmes) AS p)"
ATTRIBUTES = ("brand", "entity", "site", "country", "job_family")
SCOPES = (
    "CROSS JOIN LATERAL unnest(ARRAY[CAST('' AS text), "
    + ", ".join(f"'{a}:' || {a}" for a in ATTRIBUTES)
    + f"] || {PROGRAMME_SCOPES}) AS s(scope)"
)
ITEM_SCOPES = (
    f"CROSS JOIN LATERAL unnest(array_prepend(CAST('' AS text), {PROGRAMME_SCOPES})) AS s(scope)"
)


def _rows(table: str, source: str, sign: str) -> str:
    keys = ", ".join(f"{sql} AS {name}" for name, sql, _ in ROLLUPS[table])
    values = ", ".join([*(f"{sign}{c} AS {c}" for c in COUNTERS), f"{sign}1 AS activity_rows"])
    scopes = SCOPES if table == "activity_days" else ITEM_SCOPES
    return (
        f"SELECT tenant, s.scope, {keys}, {values} FROM {source} {scopes} WHERE s.scope IS NOT NULL"
    )


def _moves(table: str, sources: tuple[tuple[str, str], ...]) -> str:
    """One upsert of the grouped moves of `sources` (transition table, sign) into `table`.
    Rows are written in key order: two transactions lock shared rows in the same order."""
    key = ", ".join(["tenant", "scope", *(name for name, _, _ in ROLLUPS[table])])
    moves = " UNION ALL ".join(_rows(table, source, sign) for source, sign in sources)
    sums = ", ".join(f"sum({c})" for c in KEPT)
    changed = " OR ".join(f"sum({c}) <> 0" for c in KEPT)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in KEPT)
    return (
        f"INSERT INTO {table} ({key}, {', '.join(KEPT)}) "
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


# People who shared, per tenant or programme and day (the daily chart's sharers): a person's
# day counts once it has shares, kept from ambassador_daily (one row per person and day).
SHARER_MOVES = """
  INSERT INTO sharer_days (tenant, scope, day, sharers)
  SELECT tenant, s.scope, day, sum(d) FROM ({moves}) moves {scopes} WHERE s.scope IS NOT NULL
  GROUP BY tenant, s.scope, day HAVING sum(d) <> 0 ORDER BY tenant, s.scope, day
  ON CONFLICT (tenant, scope, day) DO UPDATE SET sharers = sharer_days.sharers + excluded.sharers;
"""
SHARER_COLUMNS = f"tenant, programmes, {', '.join(ATTRIBUTES)}, day"
SHARER_OLD = f"SELECT {SHARER_COLUMNS}, -1 AS d FROM old_rows WHERE shares > 0"
SHARER_NEW = f"SELECT {SHARER_COLUMNS}, 1 AS d FROM new_rows WHERE shares > 0"


def _sharer_moves(moves: str) -> str:
    return SHARER_MOVES.format(moves=moves, scopes=SCOPES)


SHARER_FUNCTION = (
    "CREATE FUNCTION sharer_days_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {_sharer_moves(SHARER_NEW)} "
    f"ELSIF TG_OP = 'UPDATE' THEN {_sharer_moves(SHARER_OLD + ' UNION ALL ' + SHARER_NEW)} "
    f"ELSE {_sharer_moves(SHARER_OLD)} END IF; RETURN NULL; END $$"
)
TRIGGERS = (
    ("daily_activity", "activity_rollups_move"),
    ("ambassador_daily", "sharer_days_move"),
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
                for c in KEPT
            ),
            sa.PrimaryKeyConstraint("tenant", "scope", *(name for name, _, _ in keys)),
        )
        # Today's rows are updated by every fold: room on their page keeps each new version
        # beside the old one (HOT), so a day's or a month's rows stay together.
        op.execute(f"ALTER TABLE {table} SET (fillfactor = 80)")
    op.create_table(
        "sharer_days",
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sharers", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", "day"),
    )
    op.execute(FUNCTION)
    op.execute(SHARER_FUNCTION)
    for table, function in TRIGGERS:
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            op.execute(
                f"CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    op.execute(
        "INSERT INTO sharer_days (tenant, scope, day, sharers) "
        f"SELECT tenant, s.scope, day, count(*) FROM ambassador_daily {SCOPES} "
        "WHERE shares > 0 AND s.scope IS NOT NULL GROUP BY 1, 2, 3"
    )
    for table in ROLLUPS:
        key = ", ".join(["tenant", "scope", *(name for name, _, _ in ROLLUPS[table])])
        op.execute(
            f"INSERT INTO {table} ({key}, {', '.join(KEPT)}) "
            f"SELECT {key}, {', '.join(f'sum({c})' for c in KEPT)} "
            # In key order, as the fold would have written them over time: a period's rows
            # on neighbouring pages rather than wherever a hash aggregate put them.
            f"FROM ({_rows(table, 'daily_activity', '')}) r GROUP BY {key} ORDER BY {key}"
        )


def downgrade() -> None:
    for table, function in TRIGGERS:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {function}_{event} ON {table}")
        op.execute(f"DROP FUNCTION {function}()")
    for table in (*ROLLUPS, "sharer_days"):
        op.drop_table(table)
