"""`python -m resonance.common.migrate_cli <service> [upgrade|revision MESSAGE]`.

Runs a service's Alembic tree against the database named by its settings, so nobody has to
keep a URL in alembic.ini.
"""

import argparse
import importlib
from pathlib import Path

from alembic import command

from resonance.common.migrations import alembic_config

REPO = Path(__file__).resolve().parents[5]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("service")
    parser.add_argument("action", choices=["upgrade", "revision", "downgrade"])
    parser.add_argument("message", nargs="?", default="change")
    parser.add_argument("--url")
    args = parser.parse_args()
    settings_module = importlib.import_module(f"resonance.{args.service}.settings")
    settings_cls = next(
        v
        for k, v in vars(settings_module).items()
        if k.endswith("Settings") and k != "ServiceSettings"
    )
    url = args.url or settings_cls().database_url
    config = alembic_config(REPO / "services" / args.service / "migrations", url)
    if args.action == "upgrade":
        command.upgrade(config, "head")
    elif args.action == "downgrade":
        command.downgrade(config, "-1")
    else:
        command.revision(config, message=args.message, autogenerate=True)


if __name__ == "__main__":
    main()
