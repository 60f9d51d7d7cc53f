"""Debian packages the local stack and the tests need, installed when missing.

A fresh machine gets them from the project's own files (`make run` / `make test` call
`python -m resonance.devstack deps`), the same way PostgreSQL is installed: as root with
apt-get. Without root or apt-get, the error names the package to install by hand.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Need:
    command: str  # what must be on PATH afterwards
    package: str  # the Debian package providing it
    why: str


JAVA = Need("java", "openjdk-17-jre-headless", "runs Apache Kafka")
MAVEN = Need("mvn", "maven", "fetches Kafka's jars from Maven Central once")
CHROMIUM = Need("chromium", "chromium", "browser tests (OAuth consent, digest charts)")
NGINX = Need("nginx", "nginx", "one origin for every API in `make run`, routed like the Ingress")
NEEDS = (JAVA, MAVEN, CHROMIUM, NGINX)


def missing(needs: Sequence[Need] = NEEDS) -> list[Need]:
    return [n for n in needs if shutil.which(n.command) is None]


def ensure(needs: tuple[Need, ...] = NEEDS) -> None:
    todo = missing(needs)
    if not todo:
        return
    names = " ".join(n.package for n in todo)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        detail = "; ".join(f"{n.package} ({n.why})" for n in todo)
        raise RuntimeError(
            f"missing system packages: {detail}. Install them: apt-get install {names}"
        )
    log.warning("installing system packages with apt-get: %s", names)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", *[n.package for n in todo]],
        check=True,
        env=env,
    )
    still = missing(todo)
    if still:
        raise RuntimeError(f"apt-get ran but these are still missing: {[n.command for n in still]}")
