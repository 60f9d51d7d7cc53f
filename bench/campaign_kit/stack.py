"""A whole platform of its own for one campaign: PostgreSQL, Kafka, the OIDC provider and
the social sandbox, then content, ambassadors, the sharing API, N posting workers, metrics
and its fold, each its own uvicorn process as `make run` starts them, each connecting to Kafka as
its own principal (ACLs on). Everything can be SIGKILLed and restarted, Kafka and PostgreSQL
restarted: the fault injector and the benchmark drive the same object."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from resonance.common.events.catalogue import all_topics
from resonance.common.migrations import upgrade_to_head
from resonance.common.secrets_box import SecretBox
from resonance.devstack.demo_identities import DEMO_CLIENTS, DEMO_USERS
from resonance.devstack.kafka import LocalKafka
from resonance.devstack.oidc import create_oidc_app, mint_token
from resonance.devstack.postgres import LocalPostgres
from resonance.devstack.sandbox.client import sharing_settings
from resonance.devstack.testing import REPO, ThreadedServer, free_port

SERVICES = ("content", "ambassadors", "sharing", "metrics")
APPS = {
    "content": "resonance.content.main:create_app",
    "ambassadors": "resonance.ambassadors.main:create_app",
    "sharing": "resonance.sharing.main:create_app",
    "metrics": "resonance.metrics.main:create_app",
}
# Short fault-recovery settings: a worker killed mid-call is "in doubt" after 8 s (above the
# 5 s network timeout), lost requests are handed out again after 10 s, reconciliation trusts
# "not posted" after 2 s (the sandbox lists a post at once). Reach polling is off: its
# measured impressions would earn milestone points and blur the points check.
SHARING_TUNING = {
    "scheduler_interval_s": "0.1",
    "scheduler_sweep_interval_s": "1",
    "worker_requeue_after_s": "10",
    "worker_in_doubt_after_s": "8",
    "network_timeout_s": "5",
    "reconcile_settle_s": "2",
    "reconcile_clock_skew_s": "10",
    "worker_backoff_base_s": "0.2",
    "worker_backoff_max_s": "3",
    "worker_max_attempts": "12",
    "reach_poll_interval_s": "3600",
    "link_base_url": "http://127.0.0.1:9/l",
}


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log: Path
    health: str = "/healthz"
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # Restarts after an exit nobody asked for (as an orchestrator would restart a pod).
    crashes: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None


class CampaignStack:
    """Use as a context manager; `await stack.start()` inside."""

    def __init__(self, workers: int = 1, tenant: str = "campaign", prefix: str = "cd.") -> None:
        self.tenant = tenant
        self.prefix = prefix
        self.root = Path(tempfile.mkdtemp(prefix="resonance-campaign-", dir="/tmp"))
        self.root.chmod(0o755)  # the postgres OS user must reach its data dir
        self.pg = LocalPostgres(self.root / "postgres", free_port(), fast=True)
        self.kafka = LocalKafka(self.root / "kafka", free_port(), free_port())
        self.key = SecretBox.generate_key()
        self.box = SecretBox([self.key])
        self.urls: dict[str, str] = {}
        self.processes: dict[str, Process] = {}
        self.initial_workers = workers
        self.oidc: ThreadedServer | None = None
        self.issuer = ""
        self._signing_key: Any = None
        self._expected_down: set[str] = set()
        # Processes that did not stop within their grace period after SIGTERM.
        self.forced_stops: list[str] = []

    # -- infrastructure ---------------------------------------------------------------------
    def __enter__(self) -> CampaignStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start_infra(self) -> None:
        self.kafka.start()  # the JVM boots while PostgreSQL initialises
        self.pg.start()
        self.pg.wait_ready()
        for service in SERVICES:
            name = f"campaign_{service}"
            self.pg.create_database(name)
            self.urls[service] = self.pg.url(name)
            upgrade_to_head(REPO / "services" / service / "migrations", self.urls[service])
        oidc_port = free_port()
        self.issuer = f"http://127.0.0.1:{oidc_port}"
        app = create_oidc_app(self.issuer, self.root / "oidc", DEMO_CLIENTS, DEMO_USERS)
        self._signing_key = app.state.signing_key
        self.oidc = ThreadedServer(app, oidc_port).start()
        self.kafka.wait_ready(timeout=120)
        self.kafka.create_topics(all_topics(self.prefix), partitions=3)
        for attempt in range(3):
            try:
                self.kafka.grant_acls(self.prefix)  # idempotent
                break
            except TimeoutError:  # applied later than its 10 s on a loaded machine
                if attempt == 2:
                    raise

    async def start(self) -> None:
        sandbox_port = free_port()
        self.processes["sandbox"] = Process(
            "sandbox",
            [sys.executable, "-m", "resonance.devstack.sandbox", "--port", str(sandbox_port)],
            dict(os.environ),
            sandbox_port,
            self.root / "sandbox.log",
            health="/_control/clock",
        )
        self._launch(self.processes["sandbox"])
        await asyncio.to_thread(self._start_infra)
        for service in SERVICES:
            self._define(service, APPS[service])
        for n in range(1, self.initial_workers + 1):
            self._define_worker(n)
        self._define_folder()
        await self.wait_healthy("sandbox")
        await asyncio.gather(
            *(self.start_process(name) for name in self.processes if name != "sandbox")
        )
        for network in ("linkedin", "x", "mastodon"):
            # Off for the campaign: the comparison is about our overhead, not the quotas.
            async with httpx.AsyncClient(base_url=self.sandbox) as http:
                r = await http.put(f"/_control/limits/{network}", json={"enabled": False})
                r.raise_for_status()

    @property
    def sandbox(self) -> str:
        return self.processes["sandbox"].url

    def api(self, service: str) -> str:
        return self.processes[service].url

    def _service_env(self, service: str, port: int) -> dict[str, str]:
        values: dict[str, str] = {
            **self.kafka.settings_for(service),
            "database_url": self.urls[service],
            "oidc_issuer": self.issuer,
            "topic_prefix": self.prefix,
            "consumer_group_prefix": self.prefix,
            "secret_keys": json.dumps([self.key]),
            "relay_poll_interval_s": "0.05",
            "consumer_retry_backoff_s": "0.2",
            "log_level": "WARNING",
        }
        if service == "ambassadors":
            values |= {"onboarding_delay_s": "0", "invitation_poll_interval_s": "0.2"}
        if service == "sharing":
            values |= {k: str(v) for k, v in sharing_settings(self.sandbox).items()}
            values |= SHARING_TUNING | {"worker_port": str(port)}
        if service == "metrics":
            # The fold runs in a process of its own, as the chart deploys it (metrics-fold).
            values |= {"fold_in_consumers": "false", "folder_port": str(port)}
        env = dict(os.environ)
        env.update({f"RESONANCE_{service.upper()}_{k.upper()}": v for k, v in values.items()})
        return env

    def _define(self, service: str, app: str) -> None:
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1"]
        command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
        self.processes[service] = Process(
            service, command, self._service_env(service, port), port, self.root / f"{service}.log"
        )

    def _define_worker(self, n: int) -> str:
        name = f"worker-{n}"
        port = free_port()
        self.processes[name] = Process(
            name,
            [sys.executable, "-m", "resonance.sharing.worker"],
            self._service_env("sharing", port),
            port,
            self.root / f"{name}.log",
        )
        return name

    def _define_folder(self) -> None:
        port = free_port()
        self.processes["metrics-fold"] = Process(
            "metrics-fold",
            [sys.executable, "-m", "resonance.metrics.folder"],
            self._service_env("metrics", port),
            port,
            self.root / "metrics-fold.log",
        )

    @property
    def workers(self) -> list[str]:
        return [n for n, p in self.processes.items() if n.startswith("worker-") and p.pid]

    # -- processes --------------------------------------------------------------------------
    def _launch(self, process: Process) -> None:
        out = process.log.open("ab")
        process.proc = subprocess.Popen(
            process.command,
            env=process.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        out.close()
        process.starts += 1

    async def wait_healthy(self, name: str, within_s: float = 300) -> None:
        process = self.processes[name]
        deadline = time.monotonic() + within_s
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                if process.proc is not None and process.proc.poll() is not None:
                    # Exited while booting (say, PostgreSQL restarting under it): again, as
                    # an orchestrator would, until the deadline.
                    process.crashes.append(process.proc.returncode)
                    self._launch(process)
                    await asyncio.sleep(1)
                    continue
                try:
                    if (await http.get(process.url + process.health)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        tail = process.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{name} not healthy within {within_s} s:\n{tail}")

    async def start_process(self, name: str) -> None:
        self._expected_down.discard(name)
        self._launch(self.processes[name])
        await self.wait_healthy(name)

    async def add_worker(self) -> str:
        name = self._define_worker(1 + sum(n.startswith("worker-") for n in self.processes))
        await self.start_process(name)
        return name

    def sigkill(self, name: str) -> None:
        process = self.processes[name]
        self._expected_down.add(name)
        if process.proc is not None and process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()

    async def stop_gracefully(self, name: str, grace_s: float = 30) -> None:
        """SIGTERM (a scale-down): the process leaves its consumer group cleanly."""
        process = self.processes[name]
        self._expected_down.add(name)
        if process.proc is not None and process.proc.poll() is None:
            process.proc.terminate()
            try:
                await asyncio.to_thread(process.proc.wait, grace_s)
            except subprocess.TimeoutExpired:
                # As Kubernetes does after terminationGracePeriodSeconds (30 s by default).
                self.forced_stops.append(name)
                process.proc.kill()
                await asyncio.to_thread(process.proc.wait)

    async def restart_kafka(self) -> None:
        await asyncio.to_thread(self.kafka.restart, 120)

    async def restart_postgres(self) -> None:
        await asyncio.to_thread(self.pg.stop)
        await asyncio.to_thread(self.pg.start)

    async def supervise(self) -> None:
        """Restarts any process that exits without being asked to (a crash under faults),
        recording it, as an orchestrator would; runs until cancelled."""
        while True:
            for name, process in list(self.processes.items()):
                proc = process.proc
                if name in self._expected_down or proc is None or proc.poll() is None:
                    continue
                process.crashes.append(proc.returncode)
                self._launch(process)
            await asyncio.sleep(0.5)

    # -- identities -------------------------------------------------------------------------
    def token(self, roles: list[str], subject: str = "driver") -> str:
        return mint_token(
            self._signing_key,
            issuer=self.issuer,
            subject=subject,
            tenant=self.tenant,
            roles=roles,
            ttl=4 * 3600,
        )

    def auth(self, roles: list[str], subject: str = "driver") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles, subject)}"}

    # -- teardown ---------------------------------------------------------------------------
    def stop(self) -> None:
        for process in self.processes.values():
            if process.proc is not None and process.proc.poll() is None:
                process.proc.terminate()
        for process in self.processes.values():
            if process.proc is None:
                continue
            try:
                process.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.proc.kill()
                process.proc.wait()
        if self.oidc is not None:
            self.oidc.stop()
        self.kafka.stop()
        self.pg.stop()
        if not os.environ.get("RESONANCE_KEEP_CAMPAIGN_DIR"):
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tails(self, lines: int = 12, width: int = 300) -> str:
        parts = []
        for name, process in self.processes.items():
            text = process.log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {name} (starts {process.starts}, crashes {process.crashes})")
            parts.extend(line[:width] for line in text)
        return "\n".join(parts)
