"""python -m resonance.devstack {run,deps}"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from resonance.devstack import system_packages
from resonance.devstack.kafka import ensure_kafka_jars
from resonance.devstack.postgres import find_pg_bin
from resonance.devstack.stack import find_repo_root, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m resonance.devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="start PostgreSQL, Kafka, OIDC and the services")
    run_p.add_argument("--data-dir", type=Path, default=None, help="default: <repo>/.data")
    run_p.add_argument(
        "--port-offset",
        type=int,
        default=0,
        help="added to every port (run a second stack beside the default one)",
    )
    run_p.add_argument(
        "--strict", action="store_true", help="fail if a service does not start or migrate"
    )
    run_p.add_argument(
        "--exit-after-start",
        action="store_true",
        help="start, print the summary, stop (smoke test)",
    )
    sub.add_parser(
        "deps", help="install PostgreSQL, Java, Maven, Chromium if missing, fetch Kafka jars, exit"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "deps":
        system_packages.ensure()
        print(f"PostgreSQL binaries: {find_pg_bin()}")
        print(f"Kafka jars: {ensure_kafka_jars()}")
        return 0
    data_dir = args.data_dir or find_repo_root() / ".data"
    return run(
        data_dir,
        port_offset=args.port_offset,
        strict=args.strict,
        exit_after_start=args.exit_after_start,
    )


if __name__ == "__main__":
    sys.exit(main())
