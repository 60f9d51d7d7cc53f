"""Pytest plumbing: one real PostgreSQL, one real Kafka and the local OIDC provider per test
session; each test gets its own databases and topic prefix instead of a fresh server."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from resonance.common.events.catalogue import all_topics
from resonance.common.migrations import upgrade_to_head
from resonance.common.secrets_box import SecretBox
from resonance.common.service import Runtime
from resonance.common.settings import settings_class
from resonance.devstack.demo_identities import DEMO_CLIENTS, DEMO_USERS
from resonance.devstack.kafka import ADMIN, LocalKafka
from resonance.devstack.oidc import SigningKey, create_oidc_app, mint_token
from resonance.devstack.postgres import LocalPostgres
from resonance.devstack.sandbox import create_sandbox_app
from resonance.devstack.sandbox.client import RunningSandbox

REPO = Path(__file__).resolve().parents[5]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedServer:
    """A uvicorn server on a background thread: a real HTTP peer on loopback."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test HTTP server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@dataclass
class Infra:
    postgres: LocalPostgres
    kafka: LocalKafka
    issuer: str
    signing_key: SigningKey
    databases: list[str] = field(default_factory=list)

    def token(
        self,
        tenant: str = "acme",
        roles: tuple[str, ...] | list[str] = ("communicator",),
        subject: str | None = None,
        **kwargs: Any,
    ) -> str:
        kwargs.setdefault("issuer", self.issuer)
        return mint_token(
            self.signing_key,
            subject=subject or f"user-{uuid.uuid4().hex[:8]}",
            tenant=tenant,
            roles=list(roles),
            **kwargs,
        )

    def auth(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**kwargs)}"}

    def new_database(self, service: str) -> str:
        """A fresh database for `service`, migrated to head by its own Alembic tree."""
        name = f"{service}_{uuid.uuid4().hex[:10]}"
        self.postgres.create_database(name)
        self.databases.append(name)
        url = self.postgres.url(name)
        upgrade_to_head(REPO / "services" / service / "migrations", url)
        return url

    def new_prefix(self) -> str:
        """A topic and consumer-group prefix of this test's own, with its topics and the
        services' ACLs on exactly those names (tests never grant each other anything)."""
        prefix = f"t{uuid.uuid4().hex[:8]}."
        self.kafka.create_topics(all_topics(prefix), partitions=3)
        self.kafka.grant_acls(prefix)
        return prefix

    def kafka_options(self, principal: str = ADMIN) -> dict[str, Any]:
        """aiokafka keyword arguments, bootstrap servers included, to connect as `principal`
        (the admin by default: test helpers publish as any service or HR system would)."""
        return {
            "bootstrap_servers": self.kafka.bootstrap_servers,
            **self.kafka.client_options(principal),
        }


@dataclass
class RunningService:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Any

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime


def service_settings(infra: Infra, service: str, prefix: str, **overrides: Any) -> Any:
    settings_cls = settings_class(service)
    values: dict[str, Any] = {
        "database_url": infra.new_database(service),
        # Each service connects as its own principal, held to its ACLs as in production.
        **infra.kafka.settings_for(service),
        "oidc_issuer": infra.issuer,
        "topic_prefix": prefix,
        "consumer_group_prefix": prefix,
        "relay_poll_interval_s": 0.05,
        "consumer_retry_backoff_s": 0.05,
        "configure_logging": False,
        "secret_keys": [SecretBox.generate_key()],
    }
    values.update(overrides)
    return settings_cls(**values)


@asynccontextmanager
async def running_service(
    infra: Infra, service: str, prefix: str | None = None, settings: Any = None, **overrides: Any
) -> AsyncIterator[RunningService]:
    """Starts one service in-process (lifespan, relay, consumers) with an HTTP client."""
    prefix = prefix or infra.new_prefix()
    settings = settings or service_settings(infra, service, prefix, **overrides)
    create_app = importlib.import_module(f"resonance.{service}.main").create_app
    app = create_app(settings)
    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url=f"http://{service}.test"
        ) as client,
    ):
        yield RunningService(app=app, client=client, settings=settings)


async def eventually(
    check: Callable[[], Awaitable[Any]],
    timeout: float = 20.0,  # noqa: ASYNC109 - a polling deadline, not a cancellation scope
    interval: float = 0.1,
) -> Any:
    """Polls `check` until it returns a truthy value; event-driven effects are asynchronous."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    root = Path(tempfile.mkdtemp(prefix="resonance-test-", dir="/tmp"))
    root.chmod(0o755)  # the postgres OS user must reach its data dir
    postgres = LocalPostgres(root / "postgres", free_port(), fast=True)
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    kafka.start()  # Kafka boots while PostgreSQL initialises
    postgres.start()
    postgres.wait_ready()
    kafka.wait_ready()
    oidc_port = free_port()
    issuer = f"http://127.0.0.1:{oidc_port}"
    oidc_app = create_oidc_app(issuer, root / "oidc", DEMO_CLIENTS, DEMO_USERS)
    oidc = ThreadedServer(oidc_app, oidc_port).start()
    try:
        yield Infra(postgres, kafka, issuer, oidc_app.state.signing_key)
    finally:
        oidc.stop()
        kafka.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


# Tests are unit tests unless they reach the real infrastructure: a test that uses the `infra`
# fixture (directly or through another fixture) is marked `integration`, so
# `pytest -m "not integration"` (make test-unit) starts neither PostgreSQL nor Kafka.
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "infra" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[RunningSandbox]:
    """One social-network sandbox per session (needs neither PostgreSQL nor Kafka)."""
    app = create_sandbox_app()
    server = ThreadedServer(app).start()
    try:
        yield RunningSandbox(server.url, app.state.sandbox)
    finally:
        server.stop()


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset for this test (real time, demo accounts, default limits)."""
    sandbox_server.reset()
    return sandbox_server
