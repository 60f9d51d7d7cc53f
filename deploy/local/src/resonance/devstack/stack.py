"""The whole local stack: PostgreSQL, Kafka, the OIDC provider and every service, no Docker.

To add a process (a feed server, the social sandbox, ...), append a ProcessSpec to PROCESSES.
Values in `env` may use the placeholders listed in DevStack.endpoints().
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from resonance.devstack._util import cache_dir, tail, terminate
from resonance.devstack.demo import seed_hook
from resonance.devstack.kafka import KAFKA_VERSION, LocalKafka, ensure_kafka_jars
from resonance.devstack.postgres import LocalPostgres, find_pg_bin
from resonance.devstack.proxy import PROXY_PORT, ROUTES, LocalProxy

log = logging.getLogger(__name__)

PG_PORT = 55432
KAFKA_PORT = 59092
KAFKA_CONTROLLER_PORT = 59093
OIDC_PORT = 8090
AUDIENCE = "resonance"

FALLBACK_TOPICS = [
    "content",
    "campaign",
    "submission",
    "ambassador",
    "share",
    "reach",
    "link",
    "reward",
    "digest",
    "hr.employee",
]


@dataclass(frozen=True)
class ProcessSpec:
    """One uvicorn process of the stack.

    service=True adds RESONANCE_<NAME>_{DATABASE_URL,KAFKA_BOOTSTRAP_SERVERS,OIDC_ISSUER,
    OIDC_AUDIENCE}. Processes of a lower `stage` are healthy before the next stage starts.
    """

    name: str
    app: str  # "module:attribute" for uvicorn
    port: int
    env: Mapping[str, str] = field(default_factory=dict)
    service: bool = True
    database: str | None = None
    migrations: str | None = None  # Alembic script location, relative to the repo root
    factory: bool = True  # `app` names a zero-argument app factory (settings from env)
    health_path: str = "/healthz"
    stage: int = 1
    needs_infra: bool = True  # False: spawned first, booting while PostgreSQL and Kafka start
    example_path: str | None = None  # shown in the "first API call" hint
    settings_name: str | None = None  # RESONANCE_<this>_*: another process of that service

    @property
    def module(self) -> str:
        return self.app.split(":", 1)[0]


_SANDBOX = "http://127.0.0.1:{port_sandbox}"
# The sharing service's connectors pointed at the sandbox, with its public demo clients;
# production sets the real hosts and the company's own clients instead.
SHARING_NETWORKS = {
    f"RESONANCE_SHARING_{network.upper()}_{kind}_URL": f"{_SANDBOX}/{network}"
    for network in ("linkedin", "x", "mastodon")
    for kind in ("AUTH", "TOKEN", "API")
} | {
    "RESONANCE_SHARING_LINKEDIN_CLIENT_ID": "resonance-linkedin",
    "RESONANCE_SHARING_LINKEDIN_CLIENT_SECRET": "resonance-linkedin-secret",
    "RESONANCE_SHARING_X_CLIENT_ID": "resonance-x",
    "RESONANCE_SHARING_X_CLIENT_SECRET": "resonance-x-secret",
    "RESONANCE_SHARING_MASTODON_CLIENT_ID": "resonance-mastodon",
    "RESONANCE_SHARING_MASTODON_CLIENT_SECRET": "resonance-mastodon-secret",
    # Reach is read a minute after posting (not an hour) so the demo shows it arriving.
    "RESONANCE_SHARING_REACH_POLL_OFFSETS_S": "[60, 3600, 21600, 86400, 259200, 604800, 2592000]",
}
# Origins of the usual frontend dev servers (Vite, Create React App, Angular, Next).
DEV_ORIGINS = [
    f"http://{host}:{port}"
    for host in ("localhost", "127.0.0.1")
    for port in (3000, 4200, 5173, 8080)
]

# Posting workers `make run` starts: RESONANCE_SHARING_WORKERS=3 make run (ports 8013, 8014, ...).
MAX_SHARING_WORKERS = 8


def sharing_workers(count: int | None = None) -> list[ProcessSpec]:
    """The posting workers: each its own process (and health port) in the consumer group on
    share.request, so operations scale them apart from the API; several share the work as
    they would during a campaign."""
    if count is None:
        count = int(os.environ.get("RESONANCE_SHARING_WORKERS") or 1)
    if not 1 <= count <= MAX_SHARING_WORKERS:
        raise ValueError(f"RESONANCE_SHARING_WORKERS must be 1-{MAX_SHARING_WORKERS}, not {count}")
    return [
        ProcessSpec(
            "sharing-worker" if n == 1 else f"sharing-worker-{n}",
            "resonance.sharing.worker:create_worker_app",
            8012 + n,
            database="resonance_sharing",
            settings_name="sharing",
            env=SHARING_NETWORKS,
            stage=2,
        )
        for n in range(1, count + 1)
    ]


PROCESSES: list[ProcessSpec] = [
    ProcessSpec(
        "oidc",
        "resonance.devstack.oidc:app_from_env",
        OIDC_PORT,
        service=False,
        stage=0,
        needs_infra=False,
        env={"RESONANCE_OIDC_ISSUER": "{oidc_issuer}", "RESONANCE_OIDC_KEY_DIR": "{data_dir}/oidc"},
    ),
    ProcessSpec(
        # A stand-in news site: an Atom feed and articles with OpenGraph tags, on loopback.
        "sample-news",
        "resonance.content.devtools.sample_feed:app",
        8091,
        service=False,
        factory=False,
        stage=0,
        needs_infra=False,
        health_path="/feed.atom",
    ),
    ProcessSpec(
        # LinkedIn, X and Mastodon as the sharing service meets them, on loopback.
        "sandbox",
        "resonance.devstack.sandbox:app_from_env",
        8095,
        service=False,
        stage=0,
        needs_infra=False,
    ),
    ProcessSpec(
        # Where the metrics service's digests and suggestions go: an SMTP listener (8025) and
        # a page listing what it received.
        "mail",
        "resonance.metrics.devtools.smtp_sink:app_from_env",
        8026,
        service=False,
        stage=0,
        needs_infra=False,
        env={"RESONANCE_SMTP_SINK_PORT": "8025"},
    ),
    ProcessSpec(
        "content",
        "resonance.content.main:create_app",
        8001,
        database="resonance_content",
        migrations="services/content/migrations",
        # Only the local stack may fetch loopback pages (the sample news site); never in
        # production, where this guard stops server-side request forgery.
        env={"RESONANCE_CONTENT_ALLOW_PRIVATE_LINKS_DEFAULT": "true"},
    ),
    ProcessSpec(
        "ambassadors",
        "resonance.ambassadors.main:create_app",
        8002,
        database="resonance_ambassadors",
        migrations="services/ambassadors/migrations",
    ),
    ProcessSpec(
        "sharing",
        "resonance.sharing.main:create_app",
        8003,
        database="resonance_sharing",
        migrations="services/sharing/migrations",
        env=SHARING_NETWORKS,
    ),
    *sharing_workers(),
    ProcessSpec(
        "metrics",
        "resonance.metrics.main:create_app",
        8004,
        database="resonance_metrics",
        migrations="services/metrics/migrations",
        example_path="/v1/kpis/published",
        # The fold runs in its own process, as the chart deploys it (metrics-fold).
        env={"RESONANCE_METRICS_FOLD_IN_CONSUMERS": "false"},
    ),
    ProcessSpec(
        "metrics-fold",
        "resonance.metrics.folder:create_folder_app",
        8021,  # past the posting workers' ports (8013-8020)
        database="resonance_metrics",
        settings_name="metrics",
        stage=2,
    ),
]

# Run after everything is healthy (demo seeding). A callable receives the running DevStack;
# a sequence of strings is run as a command with the stack's endpoints in its environment.
SeedHook = Callable[["DevStack"], None] | Sequence[str]
SEED_HOOKS: list[SeedHook] = [seed_hook]


def find_repo_root(start: Path | None = None) -> Path:
    for candidate in [start or Path.cwd(), *(start or Path.cwd()).parents]:
        if (candidate / "deploy" / "local" / "pyproject.toml").exists():
            return candidate
    return Path(__file__).resolve().parents[5]


def topic_names() -> list[str]:
    try:
        from resonance.common.events.catalogue import all_topics

        return all_topics()
    except Exception as exc:  # catalogue missing or broken: the stack must still come up
        log.warning("event catalogue unavailable (%s); using the fallback topic list", exc)
        return FALLBACK_TOPICS + [t + ".dlq" for t in FALLBACK_TOPICS]


def module_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
    except Exception as exc:  # the package __init__ itself fails to import
        log.warning("cannot import %s: %s", module, exc)
        return False


@dataclass
class _Running:
    spec: ProcessSpec
    proc: subprocess.Popen[bytes]
    log_path: Path
    healthy: bool = False


class DevStack:
    def __init__(
        self,
        data_dir: Path,
        *,
        port_offset: int = 0,
        processes: Sequence[ProcessSpec] | None = None,
        repo_root: Path | None = None,
        fast: bool = False,
        strict: bool = False,
    ) -> None:
        self.repo = repo_root or find_repo_root()
        self.data_dir = Path(data_dir).absolute()
        self.offset = port_offset
        self.strict = strict
        self.specs = list(PROCESSES if processes is None else processes)
        self.postgres = LocalPostgres(self.data_dir / "postgres", PG_PORT + port_offset, fast=fast)
        self.kafka = LocalKafka(
            self.data_dir / "kafka", KAFKA_PORT + port_offset, KAFKA_CONTROLLER_PORT + port_offset
        )
        self.running: dict[str, _Running] = {}
        self.skipped: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self.cold = False
        self.topics: list[str] = []
        self.proxy: LocalProxy | None = None

    def port(self, spec: ProcessSpec) -> int:
        return spec.port + self.offset

    @property
    def oidc_issuer(self) -> str:
        return f"http://127.0.0.1:{OIDC_PORT + self.offset}"

    def endpoints(self) -> dict[str, str]:
        values = {
            "data_dir": str(self.data_dir),
            "repo": str(self.repo),
            "kafka": self.kafka.bootstrap_servers,
            "pg_port": str(self.postgres.port),
            "oidc_issuer": self.oidc_issuer,
            "audience": AUDIENCE,
        }
        values.update({f"port_{s.name}": str(self.port(s)) for s in self.specs})
        return values

    def _env_for(self, spec: ProcessSpec) -> dict[str, str]:
        env = dict(os.environ)
        values = self.endpoints()
        if spec.service:
            prefix = f"RESONANCE_{(spec.settings_name or spec.name).upper()}_"
            # Each service connects as its own Kafka principal (ACLs: resonance.devstack.kafka).
            principal = spec.settings_name or spec.name
            for key, value in self.kafka.settings_for(principal).items():
                env[prefix + key.upper()] = value
            env[prefix + "OIDC_ISSUER"] = self.oidc_issuer
            env[prefix + "OIDC_AUDIENCE"] = AUDIENCE
            if spec.database:
                env[prefix + "DATABASE_URL"] = self.postgres.url(spec.database)
            env.setdefault(prefix + "SECRET_KEYS", json.dumps([self._secret_key()]))
            env.setdefault(prefix + "CORS_ALLOW_ORIGINS", json.dumps(DEV_ORIGINS))
        env.update({k: v.format(**values) for k, v in spec.env.items()})
        return env

    def _secret_key(self) -> str:
        """The local stack's key for secrets at rest, made once and kept with its data (a
        real deployment injects its own keys from a secret store)."""
        path = self.data_dir / "secret.key"
        if not path.exists():
            from resonance.common.secrets_box import SecretBox

            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(SecretBox.generate_key())
        return path.read_text().strip()

    def _timed(self, label: str, since: float) -> None:
        self.timings[label] = time.monotonic() - since

    def start(self) -> None:
        """Bring everything up; on failure, whatever was started is stopped again."""
        begin = time.monotonic()
        try:
            for spec in self.specs:
                if not spec.needs_infra:
                    self._spawn_if_available(spec)
            self._start_infrastructure()
            self._prepare_databases()
            self._start_processes()
            self._start_proxy()
            self._run_seed_hooks()
        except BaseException:
            self.stop()
            raise
        self._timed("total", begin)

    def _start_infrastructure(self) -> None:
        t = time.monotonic()
        find_pg_bin()
        self._timed("postgres binaries", t)
        t = time.monotonic()
        jars_cached = _jars_cached()
        ensure_kafka_jars()
        self.cold = not jars_cached or not (self.postgres.data_dir / "PG_VERSION").exists()
        self._timed("kafka jars", t)
        t = time.monotonic()
        # The JVM boots in the background while PostgreSQL starts.
        self.kafka.start()
        self.postgres.start()
        self._timed("postgres start", t)
        self.kafka.wait_ready(timeout=90)
        self._timed("kafka ready", t)
        t = time.monotonic()
        self.topics = topic_names()
        self.kafka.create_topics(self.topics)
        self.kafka.grant_acls()
        self._timed("topics", t)

    def _prepare_databases(self) -> None:
        t = time.monotonic()
        try:
            from resonance.common.migrations import upgrade_to_head
        except ImportError as exc:
            log.warning("resonance.common.migrations unavailable (%s): migrations skipped", exc)
            upgrade_to_head = None
        for spec in self.specs:
            if not spec.database:
                continue
            self.postgres.create_database(spec.database)
            script = self.repo / spec.migrations if spec.migrations else None
            if upgrade_to_head is None or script is None or not (script / "env.py").exists():
                continue
            if not module_available(spec.module):
                continue  # its env.py imports the service's tables
            try:
                upgrade_to_head(script, self.postgres.url(spec.database))
            except Exception as exc:
                if self.strict:
                    raise
                log.warning("migrations of %s failed: %s", spec.name, exc)
                self.skipped[spec.name] = f"migrations failed: {exc}"
        self._timed("databases+migrations", t)

    def _start_processes(self) -> None:
        t = time.monotonic()
        for stage in sorted({s.stage for s in self.specs}):
            started = []
            for spec in (s for s in self.specs if s.stage == stage):
                running = self.running.get(spec.name) or self._spawn_if_available(spec)
                if running is not None:
                    started.append(running)
            for running in started:
                if not running.healthy:
                    self._wait_healthy(running)
        self._timed("processes healthy", t)

    def _spawn_if_available(self, spec: ProcessSpec) -> _Running | None:
        if spec.name in self.skipped:
            return None
        if not module_available(spec.module):
            self.skipped[spec.name] = f"module {spec.module} not found"
            return None
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return self._spawn(spec, logs / f"{spec.name}.log")

    def _spawn(self, spec: ProcessSpec, log_path: Path) -> _Running:
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            spec.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port(spec)),
            "--log-level",
            "info",
            # Raw request lines can hold personal data; services log route templates instead.
            "--no-access-log",
        ]
        if spec.factory:
            cmd.append("--factory")
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=self.repo,
                env=self._env_for(spec),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        running = _Running(spec, proc, log_path)
        self.running[spec.name] = running
        return running

    def _wait_healthy(self, running: _Running, timeout: float = 60.0) -> None:
        url = f"http://127.0.0.1:{self.port(running.spec)}{running.spec.health_path}"
        deadline = time.monotonic() + timeout
        problem = "timed out"
        while time.monotonic() < deadline:
            if running.proc.poll() is not None:
                problem = f"exited with {running.proc.returncode}"
                break
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    running.healthy = True
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        message = f"{running.spec.name} not healthy at {url} ({problem}):\n{tail(running.log_path)}"
        if self.strict:
            raise RuntimeError(message)
        log.warning("%s", message)

    def _run_seed_hooks(self) -> None:
        for hook in SEED_HOOKS:
            if callable(hook):
                hook(self)
            else:
                env = {
                    **os.environ,
                    **{f"RESONANCE_DEV_{k.upper()}": v for k, v in self.endpoints().items()},
                }
                subprocess.run(list(hook), check=True, cwd=self.repo, env=env)

    def supervise(self) -> None:
        """Block until interrupted, reporting processes that die."""
        reported: set[str] = set()
        while True:
            for name, running in self.running.items():
                if running.proc.poll() is not None and name not in reported:
                    reported.add(name)
                    print(
                        f"!! {name} exited with {running.proc.returncode}; see {running.log_path}",
                        file=sys.stderr,
                        flush=True,
                    )
            if not self.kafka.is_running() and "kafka" not in reported:
                reported.add("kafka")
                print(f"!! Kafka exited; see {self.kafka.log_path}", file=sys.stderr, flush=True)
            time.sleep(1)

    def _start_proxy(self) -> None:
        """nginx on one port in front of every API, with the Ingress's routes (proxy.py)."""
        routed = {r.service for r in ROUTES}
        upstreams = {n: self.port(r.spec) for n, r in self.running.items() if n in routed}
        proxy = LocalProxy(self.data_dir / "proxy", upstreams, PROXY_PORT + self.offset)
        try:
            proxy.start()
        except RuntimeError as exc:
            if self.strict:
                raise
            log.warning("reverse proxy not started: %s", exc)
            self.skipped["proxy"] = str(exc).splitlines()[0]
            return
        self.proxy = proxy

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        for running in reversed(list(self.running.values())):
            terminate(running.proc, grace=10)
        self.running.clear()
        self.kafka.stop()
        self.postgres.stop()

    def summary(self) -> str:
        rows = [
            (
                "postgres",
                f"127.0.0.1:{self.postgres.port}",
                "user postgres, trust; dbs: "
                + ", ".join(s.database for s in self.specs if s.database),
            ),
            (
                "kafka",
                self.kafka.bootstrap_servers,
                f"{len(self.topics)} topics, log {self.kafka.log_path}",
            ),
        ]
        for spec in self.specs:
            base = f"http://127.0.0.1:{self.port(spec)}"
            if spec.name in self.running:
                state = "up" if self.running[spec.name].healthy else "NOT HEALTHY"
                rows.append((spec.name, base, f"{state}; log {self.running[spec.name].log_path}"))
            else:
                rows.append((spec.name, "-", f"skipped: {self.skipped.get(spec.name, '?')}"))
        if self.proxy is not None:
            paths = " ".join(r.prefix for r in ROUTES)
            rows.append(("proxy", self.proxy.url, f"one origin for the APIs: {paths}"))
        width = max(len(r[1]) for r in rows)
        lines = [f"  {n:<12} {a:<{width}}  {note}" for n, a, note in rows]
        kind = "cold" if self.cold else "warm"
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items() if k != "total")
        token = (
            f"curl -s -X POST {self.oidc_issuer}/token -d grant_type=password "
            "-d username=chloe -d password=resonance -d client_id=resonance-cli"
        )
        first = next((s for s in self.specs if s.example_path and s.name in self.running), None)
        out = [
            "",
            "Resonance local stack",
            *lines,
            "",
            "Get a token (users alice/paul/chloe/adam, password 'resonance'):",
            f"  {token}",
            f"  TOKEN=$({token} | python3 -c 'import json,sys; print(json.load(sys.stdin)"
            '["access_token"])\')',
        ]
        if first:
            out.append(
                f'  curl -s -H "Authorization: Bearer $TOKEN" '
                f"http://127.0.0.1:{self.port(first)}{first.example_path}"
            )
        out += [
            "",
            f"{kind} start in {self.timings.get('total', 0):.1f} s ({timing})",
            "Ctrl-C stops everything.",
        ]
        return "\n".join(out)


def _jars_cached() -> bool:
    if os.environ.get("RESONANCE_KAFKA_JARS"):
        return True
    return (cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs" / ".complete").exists()


def _raise_interrupt(signum: int, frame: object) -> None:
    # Ctrl-C reaches both `uv run` and us, and uv forwards it: the second signal must not
    # interrupt the shutdown the first one started, so ignore them before anything else.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run(
    data_dir: Path, *, port_offset: int = 0, strict: bool = False, exit_after_start: bool = False
) -> int:
    """Start the stack, print where everything listens, run until Ctrl-C/SIGTERM."""
    # Explicit SIGINT too: a launcher started in the background inherits SIGINT ignored.
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stack = DevStack(data_dir, port_offset=port_offset, strict=strict)
    status = 0
    try:
        stack.start()
        print(stack.summary(), flush=True)
        if not exit_after_start:
            stack.supervise()
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
    except (RuntimeError, TimeoutError, OSError, subprocess.CalledProcessError) as exc:
        print(f"local stack failed to start: {exc}", file=sys.stderr, flush=True)
        status = 1
    finally:
        # A second Ctrl-C during shutdown must not leave half the stack running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        print("stopped.", flush=True)
    return status
