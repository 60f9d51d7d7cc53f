"""`python -m resonance.common.migrate_cli <service> [upgrade|revision MESSAGE]`.

Runs a service's Alembic tree against the database named by its settings, so nobody has to
keep a URL in alembic.ini.
"""

import argparse
from pathlib import Path

from alembic import command

from resonance.common.migrations import alembic_config
from resonance.common.settings import settings_class

REPO = Path(__file__).resolve().parents[5]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("service")
    parser.add_argument("action", choices=["upgrade", "revision", "downgrade"])
    parser.add_argument("message", nargs="?", default="change")
    parser.add_argument("--url")
    args = parser.parse_args()
    url = args.url or settings_class(args.service)().database_url
    config = alembic_config(REPO / "services" / args.service / "migrations", url)
    if args.action == "upgrade":
        command.upgrade(config, "head")
    elif args.action == "downgrade":
        command.downgrade(config, "-1")
    else:
        command.revision(config, message=args.message, autogenerate=True)


if __name__ == "__main__":
    main()
