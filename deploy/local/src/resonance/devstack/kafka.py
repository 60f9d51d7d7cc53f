"""A real Apache Kafka broker (single combined KRaft node) run from Maven Central jars.

Pinned to 3.9.x: Kafka 4.0 removed old protocol versions (KIP-896); 3.9 keeps every API
version aiokafka uses.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resonance.devstack._util import cache_dir, run_coro_sync, tail, terminate

log = logging.getLogger(__name__)

KAFKA_VERSION = "3.9.1"
SCALA_VERSION = "2.13"
_COMPLETE_MARKER = ".complete"

# Logging is not a dependency of the kafka POM; 3.9 logs through slf4j 1.x to log4j 1 API.
_POM = f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>resonance.devstack</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>{KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_{SCALA_VERSION}</artifactId>
      <version>{KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version>
    </dependency>
    <dependency>
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>1.2.25</version>
    </dependency>
  </dependencies>
</project>
"""

_LOG4J = """log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
"""

# --- who may do what ---------------------------------------------------------------------
# Clients authenticate with SASL/SCRAM-SHA-512; the broker authorises every request with
# ACLs (nothing is allowed unless granted). `admin` is the super user the stack, the test
# fixtures and operators use; every service has its own principal and the HR integration
# (an HR system pushing employee records) one that may write hr.employee and nothing else.
SASL_MECHANISM = "SCRAM-SHA-512"
ADMIN = "admin"
HR_INTEGRATION = "hr-integration"
SERVICES = ("content", "ambassadors", "sharing", "metrics")
PRINCIPALS = (ADMIN, *SERVICES, HR_INTEGRATION)
# The topics each principal publishes. A catalogue topic nobody owns fails a unit test.
WRITES: dict[str, tuple[str, ...]] = {
    "content": ("content", "campaign", "submission"),
    "ambassadors": ("ambassador", "hr.employee"),
    "sharing": ("share", "share.request", "link", "connection", "conversion"),
    "metrics": ("reward", "digest"),
    HR_INTEGRATION: ("hr.employee",),
}

# Kafka's wire codes (org.apache.kafka.common.acl / resource).
_TOPIC, _GROUP, _CLUSTER = 2, 3, 4
_LITERAL, _PREFIXED = 3, 4
_READ, _WRITE, _IDEMPOTENT_WRITE = 3, 4, 12
_ANY, _ALLOW = 1, 3
_CLUSTER_NAME = "kafka-cluster"


@dataclass(frozen=True)
class AclBinding:
    """One ALLOW rule: `principal` may do `operation` on a resource."""

    principal: str
    resource_type: int
    resource_name: str
    pattern_type: int
    operation: int

    def creation(self) -> tuple[int, str, int, str, str, int, int]:
        return (
            self.resource_type,
            self.resource_name,
            self.pattern_type,
            f"User:{self.principal}",
            "*",
            self.operation,
            _ALLOW,
        )


def platform_acls(
    topics: Iterable[str], prefix: str = "", dlq_suffix: str = ".dlq"
) -> list[AclBinding]:
    """The rules for one copy of the platform whose topics and consumer groups start with
    `prefix` ("" for the stack, "t1a2b3c4." for a test): all literal or prefixed on that
    prefix, so the copies tests run side by side never grant each other anything.

    Each service writes its own topics and any dead-letter topic (its consumers park what
    they cannot apply there), reads the platform's topics, and uses the consumer groups named
    after it. Idempotent producing needs the cluster's IdempotentWrite.
    """
    topics = [t for t in topics if not t.endswith(dlq_suffix)]
    # PREFIXED needs a non-empty name: the unprefixed stack grants on the wildcard instead.
    every_topic = (prefix, _PREFIXED) if prefix else ("*", _LITERAL)
    rules: list[AclBinding] = []
    for principal, written in WRITES.items():
        unknown = set(written) - set(topics)
        if unknown:
            raise ValueError(f"{principal} writes unknown topics {sorted(unknown)}")
        rules += [AclBinding(principal, _TOPIC, prefix + t, _LITERAL, _WRITE) for t in written]
        rules.append(AclBinding(principal, _CLUSTER, _CLUSTER_NAME, _LITERAL, _IDEMPOTENT_WRITE))
    for service in SERVICES:
        rules += [
            AclBinding(service, _TOPIC, prefix + t + dlq_suffix, _LITERAL, _WRITE) for t in topics
        ]
        rules.append(AclBinding(service, _TOPIC, *every_topic, _READ))
        rules.append(AclBinding(service, _GROUP, prefix + service, _PREFIXED, _READ))
    return rules


def _acl_requests() -> tuple[type[Any], type[Any]]:
    """CreateAcls with many bindings in one round trip, and DescribeAcls pinned to v1:
    aiokafka's own builders send one binding per request, and its DescribeAcls v2 lacks the
    flexible encoding the broker expects."""
    from aiokafka.protocol.admin import CreateAclsRequest_v1, DescribeAclsRequest_v1
    from aiokafka.protocol.api import Request

    class CreateAcls(Request[CreateAclsRequest_v1]):
        API_KEY = 30

        def __init__(self, creations: list[tuple[int, str, int, str, str, int, int]]) -> None:
            self.creations = creations

        def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
            return request_struct_class(self.creations)

    class DescribeAcls(Request[DescribeAclsRequest_v1]):
        API_KEY = 29

        def __init__(self, resource_type: int, name: str, pattern_type: int) -> None:
            self.filter = (resource_type, name, pattern_type, None, None, _ANY, _ANY)

        def build(
            self, request_struct_class: type[DescribeAclsRequest_v1]
        ) -> DescribeAclsRequest_v1:
            return request_struct_class(*self.filter)

    return CreateAcls, DescribeAcls


def ensure_kafka_jars(cache_root: Path | None = None) -> Path:
    """Directory holding the broker's runtime jars, downloading them once with Maven.

    RESONANCE_KAFKA_JARS overrides the location (a pre-provisioned directory).
    """
    override = os.environ.get("RESONANCE_KAFKA_JARS")
    if override:
        return Path(override)
    root = (cache_root or cache_dir()) / f"kafka-{KAFKA_VERSION}"
    libs = root / "libs"
    if (libs / _COMPLETE_MARKER).exists():
        return libs
    root.mkdir(parents=True, exist_ok=True)
    # Parallel first runs (CI jobs, test workers) would otherwise download concurrently.
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (libs / _COMPLETE_MARKER).exists():
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError(
                "Maven (mvn) is needed to fetch the Kafka jars: apt-get install maven"
            )
        started = time.monotonic()
        log.warning("downloading Apache Kafka %s jars with Maven (once)", KAFKA_VERSION)
        # Download into a sibling temp dir and rename: an interrupted download never looks complete.
        tmp = Path(tempfile.mkdtemp(prefix="libs-", dir=root))
        try:
            (tmp / "pom.xml").write_text(_POM)
            out = tmp / "libs"
            subprocess.run(
                [
                    mvn,
                    "-B",
                    "-q",
                    "-f",
                    str(tmp / "pom.xml"),
                    "dependency:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={out}",
                ],
                check=True,
                cwd=tmp,
            )
            if not any(out.glob(f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.jar")):
                raise RuntimeError(f"Maven finished but no kafka jar in {out}")
            (out / _COMPLETE_MARKER).write_text(KAFKA_VERSION + "\n")
            if libs.exists():
                shutil.rmtree(libs)  # a stale, incomplete leftover
            out.rename(libs)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log.warning("Kafka jars ready in %.1f s: %s", time.monotonic() - started, libs)
        return libs


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError(
            "Java 17+ is needed to run Kafka: apt-get install openjdk-17-jre-headless"
        )
    return java


async def _port_open(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


def new_cluster_id() -> str:
    """16 random bytes, url-safe base64; never starting with '-', which the storage tool
    would read as an option (Kafka's own Uuid.randomUuid() avoids it the same way)."""
    while True:
        cid = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


class LocalKafka:
    """One Kafka broker+controller on loopback, data kept in `data_dir` across restarts."""

    def __init__(self, data_dir: Path, port: int, controller_port: int, heap: str = "512m") -> None:
        self.data_dir = Path(data_dir).absolute()
        self.port = port
        self.controller_port = controller_port
        self.heap = heap
        self.log_path = self.data_dir / "kafka.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def credentials(self) -> dict[str, str]:
        """Every principal's password, made once and kept with the data (the storage is
        formatted with them)."""
        path = self.data_dir / "credentials.json"
        if path.exists():
            stored: dict[str, str] = json.loads(path.read_text())
            if set(stored) >= set(PRINCIPALS):
                return stored
        self.data_dir.mkdir(parents=True, exist_ok=True)
        made = {p: secrets.token_urlsafe(18) for p in PRINCIPALS}
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(made, fh)
        tmp.rename(path)
        return made

    def client_options(self, principal: str = ADMIN) -> dict[str, Any]:
        """aiokafka keyword arguments (besides bootstrap_servers) to connect as `principal`."""
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": principal,
            "sasl_plain_password": self.credentials[principal],
        }

    def settings_for(self, principal: str) -> dict[str, str]:
        """ServiceSettings fields (kafka_*) for a service connecting as `principal`."""
        return {
            "kafka_bootstrap_servers": self.bootstrap_servers,
            "kafka_security_protocol": "SASL_PLAINTEXT",
            "kafka_sasl_mechanism": SASL_MECHANISM,
            "kafka_username": principal,
            "kafka_password": self.credentials[principal],
        }

    def _cluster_id(self) -> str:
        # Kept in the data dir: the storage is formatted with it, so restarts must reuse it.
        path = self.data_dir / "cluster.id"
        if path.exists():
            return path.read_text().strip()
        cid = new_cluster_id()
        path.write_text(cid + "\n")
        return cid

    def _write_config(self) -> tuple[Path, Path]:
        admin = self.credentials[ADMIN]
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
        plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"CLIENT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"CLIENT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "CLIENT",
            "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
            # Clients: SCRAM, whose credentials live in the cluster metadata (written at format
            # time). The broker talks to itself (transaction markers) as the admin.
            "listener.name.client.sasl.enabled.mechanisms": SASL_MECHANISM,
            "sasl.mechanism.inter.broker.protocol": SASL_MECHANISM,
            "listener.name.client.scram-sha-512.sasl.jaas.config": (
                f'{scram} required username="{ADMIN}" password="{admin}";'
            ),
            # The controller cannot use SCRAM (it must authenticate before it reads metadata):
            # PLAIN with the admin's password, so an unauthenticated client cannot reach the
            # controller's APIs on loopback either.
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": (
                f'{plain} required username="{ADMIN}" password="{admin}" user_{ADMIN}="{admin}";'
            ),
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{ADMIN}",
            "allow.everyone.if.no.acl.found": "false",
            "log.dirs": str(self.data_dir / "data"),
            # Recovery after a crash opens every partition; one thread per core, not one.
            "num.recovery.threads.per.data.dir": str(max(2, os.cpu_count() or 2)),
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "num.partitions": "3",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "auto.create.topics.enable": "true",
            # After a SIGKILL the new incarnation waits for the old broker session to expire
            # (default 9 s); short sessions make crash/restart fault tests fast.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "3000",
        }
        server = self.data_dir / "server.properties"
        server.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        log4j = self.data_dir / "log4j.properties"
        log4j.write_text(_LOG4J)
        return server, log4j

    def start(self) -> None:
        """Format the storage if new, then start the broker (no-op if this object runs it)."""
        if self.is_running():
            return
        jars = ensure_kafka_jars()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_orphan()
        self._drop_unauthenticated_storage()
        server, log4j = self._write_config()
        base = [_java(), "-cp", f"{jars}/*", f"-Dlog4j.configuration=file:{log4j}"]
        scram = [
            arg
            for principal, password in self.credentials.items()
            for arg in ("--add-scram", f"{SASL_MECHANISM}=[name={principal},password={password}]")
        ]
        with open(self.log_path, "ab") as out:
            # Formatting costs a JVM start (~2 s); a restart on formatted storage skips it.
            # The SCRAM credentials go into the first metadata: no round trip after start.
            if not (self.data_dir / "data" / "meta.properties").exists():
                subprocess.run(
                    [
                        *base,
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        self._cluster_id(),
                        "-c",
                        str(server),
                        "--ignore-formatted",
                        *scram,
                    ],
                    check=True,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            # Own session: a terminal Ctrl-C reaches only the launcher, which stops things in order.
            self._proc = subprocess.Popen(
                [
                    *base[:1],
                    f"-Xmx{self.heap}",
                    "-Xms128m",
                    "-Djava.awt.headless=true",
                    *base[1:],
                    "kafka.Kafka",
                    str(server),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        (self.data_dir / "kafka.pid").write_text(f"{self._proc.pid}\n")

    def _drop_unauthenticated_storage(self) -> None:
        """Storage formatted before the broker required SASL has no credentials in it: start
        it afresh (local data only; the services' outboxes keep what they publish)."""
        marker = self.data_dir / "sasl.formatted"
        if marker.exists():
            return
        if (self.data_dir / "data").exists():
            log.warning("Kafka storage in %s predates SASL: formatting it afresh", self.data_dir)
            shutil.rmtree(self.data_dir / "data")
        marker.write_text(SASL_MECHANISM + "\n")

    def _stop_orphan(self) -> None:
        """Stop a broker left on this data dir by a launcher that died (it holds the log lock)."""
        pid_file = self.data_dir / "kafka.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"kafka.Kafka" not in cmdline or str(self.data_dir).encode() not in cmdline:
            return  # the pid was reused by an unrelated process
        log.warning("stopping an orphaned Kafka broker (pid %s) on %s", pid, self.data_dir)
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)

    async def wait_ready_async(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        from aiokafka.admin import AIOKafkaAdminClient

        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(
                    f"Kafka exited with {self._proc.returncode}; log:\n{tail(self.log_path)}"
                )
            if not await _port_open(self.port):
                # Probing with the admin client while the port is closed floods the log.
                await asyncio.sleep(0.3)
                continue
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers,
                request_timeout_ms=5000,
                **self.client_options(),
            )
            try:
                await admin.start()
                await admin.list_topics()
                return
            except Exception as exc:  # not up yet: connection refused, no controller, ...
                last = exc
            finally:
                await admin.close()
            await asyncio.sleep(0.5)
        raise TimeoutError(
            f"Kafka not ready after {timeout} s ({last!r}); log:\n{tail(self.log_path)}"
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until an admin client can list topics (an open port is not enough)."""
        run_coro_sync(lambda: self.wait_ready_async(timeout))

    async def create_topics_async(self, names: list[str], partitions: int = 3) -> None:
        from aiokafka.admin import AIOKafkaAdminClient, NewTopic
        from aiokafka.errors import TopicAlreadyExistsError, for_code

        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers, **self.client_options()
        )
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            wanted = [n for n in dict.fromkeys(names) if n not in existing]
            if not wanted:
                return
            response = await admin.create_topics(
                [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in wanted]
            )
            for topic, code, *rest in response.topic_errors:
                if code in (0, TopicAlreadyExistsError.errno):
                    continue
                message = rest[0] if rest else ""
                raise for_code(code)(f"creating topic {topic}: {message}")
        finally:
            await admin.close()

    def create_topics(self, names: list[str], partitions: int = 3) -> None:
        """Create topics that do not exist yet (idempotent)."""
        run_coro_sync(lambda: self.create_topics_async(names, partitions))

    async def grant_acls_async(self, prefix: str = "") -> None:
        """Creates the platform's ACLs for the copy whose topics and groups start with
        `prefix` (idempotent) and waits until the broker enforces them."""
        from aiokafka.admin import AIOKafkaAdminClient
        from aiokafka.errors import for_code

        from resonance.common.events.catalogue import all_topics

        create_acls, describe_acls = _acl_requests()
        rules = platform_acls(all_topics(with_dlq=False), prefix)
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers, **self.client_options()
        )
        await admin.start()
        try:
            # Private API: aiokafka's admin client has no ACL methods (0.14).
            response = await admin._send_request(create_acls([r.creation() for r in rules]))
            for code, message in response.creation_responses:
                if code:
                    raise for_code(code)(f"creating ACLs: {message}")
            # The controller commits the ACLs; the broker applies them from the metadata log
            # a moment later. The last rule is the last applied.
            last = rules[-1]
            deadline = time.monotonic() + 10
            while True:
                found = await admin._send_request(
                    describe_acls(last.resource_type, last.resource_name, last.pattern_type)
                )
                if any(
                    acl[0] == f"User:{last.principal}" and acl[2] == last.operation
                    for resource in found.resources
                    for acl in resource[3]
                ):
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"ACLs for prefix {prefix!r} not applied in 10 s")
                await asyncio.sleep(0.02)
        finally:
            await admin.close()

    def grant_acls(self, prefix: str = "") -> None:
        run_coro_sync(lambda: self.grant_acls_async(prefix))

    def stop(self, grace: float = 20.0) -> None:
        """Controlled shutdown: SIGTERM, then SIGKILL after `grace` seconds."""
        if self._proc is not None:
            terminate(self._proc, grace)
            self._proc = None

    def kill(self) -> None:
        """SIGKILL, as a crash would (fault-injection tests). start() again to recover."""
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            self._proc = None

    def restart(self, timeout: float = 240.0) -> None:
        # After a SIGKILL the broker recovers every partition before it listens: thousands by
        # the end of a test session (a topic set per test), over a minute on a busy machine.
        self.stop()
        self.start()
        self.wait_ready(timeout)
