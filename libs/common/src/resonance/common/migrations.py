"""Alembic plumbing shared by every service's migration tree."""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

# Any constant works; it keeps our migration lock apart from other advisory locks.
MIGRATION_LOCK = 0x0A1E_B1C


def alembic_config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade_to_head(script_location: Path, database_url: str) -> None:
    command.upgrade(alembic_config(script_location, database_url), "head")


def run_env(metadata: MetaData, default_url: str | None = None) -> None:
    """Body of each service's migrations/env.py. The URL comes from the caller (tests, the
    local stack) or else from the service's settings, so a deployed image runs
    `alembic -c alembic.ini upgrade head` with nothing but its usual environment."""
    url = context.config.get_main_option("sqlalchemy.url") or default_url
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            # Two replicas starting at once both run `upgrade head`: the second waits here,
            # then reads the version the first wrote and has nothing left to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(str(url), poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run())
        return
    # Called from inside an event loop (tests): run the migration in a worker thread.
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool_:
        pool_.submit(asyncio.run, run()).result()
