"""A real Apache Kafka broker (single combined KRaft node) run from Maven Central jars.

Pinned to 3.9.x: Kafka 4.0 removed old protocol versions (KIP-896); 3.9 keeps every API
version aiokafka uses.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

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

    def _cluster_id(self) -> str:
        # Kept in the data dir: the storage is formatted with it, so restarts must reuse it.
        path = self.data_dir / "cluster.id"
        if path.exists():
            return path.read_text().strip()
        cid = new_cluster_id()
        path.write_text(cid + "\n")
        return cid

    def _write_config(self) -> tuple[Path, Path]:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir / "data"),
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
        server, log4j = self._write_config()
        base = [_java(), "-cp", f"{jars}/*", f"-Dlog4j.configuration=file:{log4j}"]
        with open(self.log_path, "ab") as out:
            # Formatting costs a JVM start (~2 s); a restart on formatted storage skips it.
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
                bootstrap_servers=self.bootstrap_servers, request_timeout_ms=5000
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

        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
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

    def restart(self, timeout: float = 60.0) -> None:
        self.stop()
        self.start()
        self.wait_ready(timeout)
