"""python -m resonance.devstack.sandbox --port N"""

from __future__ import annotations

import argparse
import sys

import uvicorn

from resonance.devstack.sandbox.app import create_sandbox_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resonance.devstack.sandbox",
        description="LinkedIn, X and Mastodon on loopback (see the package docstring).",
    )
    parser.add_argument("--port", type=int, default=8095)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        choices=["127.0.0.1", "::1", "localhost"],
        help="loopback only: the sandbox hands out tokens to anyone who asks",
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    uvicorn.run(
        create_sandbox_app(),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,  # request lines carry tokens in query strings on some clients
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
