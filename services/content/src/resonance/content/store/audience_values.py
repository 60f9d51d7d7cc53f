"""The targeting values that exist in a tenant, from the ambassador projection: queries only."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Column of the projection -> targeting field; list columns are unnested.
SCALAR_COLUMNS = {
    "brand": "brands",
    "entity": "entities",
    "job_family": "job_families",
    "site": "sites",
    "country": "countries",
    "worker_type": "worker_types",
}
LIST_COLUMNS = {"languages": "languages", "programmes": "programmes"}


def _values_sql(limit: int) -> str:
    parts = [
        f"SELECT '{field}' AS field, {column} AS value FROM ambassadors "  # noqa: S608
        f"WHERE tenant = :tenant AND {column} IS NOT NULL"
        for column, field in SCALAR_COLUMNS.items()
    ] + [
        f"SELECT '{field}' AS field, unnest({column}) AS value FROM ambassadors "  # noqa: S608
        "WHERE tenant = :tenant"
        for column, field in LIST_COLUMNS.items()
    ]
    # Constant names only; the tenant and the limit are bound parameters.
    return (
        "SELECT field, value FROM (SELECT field, value, row_number() OVER "  # noqa: S608
        "(PARTITION BY field ORDER BY lower(value), value) AS n FROM "
        f"(SELECT DISTINCT field, btrim(value) AS value FROM ({' UNION ALL '.join(parts)}) AS v "
        f"WHERE btrim(value) <> '') AS d) AS r WHERE n <= {int(limit)} ORDER BY field, n"
    )


async def values_in_use(session: AsyncSession, tenant: str, limit: int) -> dict[str, list[str]]:
    """Per targeting field, the distinct values the tenant's ambassadors have (at most
    `limit` each, in alphabetical order)."""
    found: dict[str, list[str]] = {
        field: [] for field in [*SCALAR_COLUMNS.values(), *LIST_COLUMNS.values()]
    }
    rows = await session.execute(text(_values_sql(limit)), {"tenant": tenant})
    for field, value in rows:
        found[field].append(value)
    return found
