"""Shares end to end: API → posting worker → social sandbox → share.made consumed by metrics,
beside the sandbox's raw accept rate measured in the same run.

Starts its own PostgreSQL (fsync off), Kafka, OIDC provider and social sandbox on loopback,
in a throwaway folder, then the sharing API, ONE posting worker and the metrics service, each
its own uvicorn process as `make run` starts them. N ambassadors are enrolled and one item is
published through Kafka (the services' own projections consume them); each ambassador's
Mastodon account gets a token from the sandbox's control API and a connection row with the
token sealed, as the OAuth flow leaves it (the flow itself is tested, not benchmarked). The
sandbox's rate limits are off for both measurements: the comparison is about our overhead.

  1. raw: a bare async client (httpx, 8 concurrent) posts N statuses straight to the sandbox;
  2. pipeline: 8 concurrent clients POST N shares to /v1/shares (one per ambassador, "now");
     the run ends when metrics has consumed N share.made events. Reported: shares/s end to
     end, p50/p99 from the request to `posted_at` (sharing's row), and request latency.

Goal: the pipeline at least 50 % of the raw rate with one worker.

Beside each rate, the CPU milliseconds every process of the stack spent per post or share
(Linux /proc; postgres and kafka with their children): all of them share the machine's
cores, so the pipeline's rate is bounded by cores / total CPU per share, whatever the API's
or the worker's own speed. Polling intervals are the services' defaults, as deployed
(`--relay-poll-s` to try others): an idle poll costs CPU the shares then lack.

    uv run python bench/sharing.py [--shares 400] [--concurrency 8] [--relay-poll-s S]
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from resonance.common.events import new_envelope
from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorProfile,
    Caption,
    ContentPublished,
    EventData,
    Targeting,
    all_topics,
)
from resonance.common.migrations import upgrade_to_head
from resonance.common.secrets_box import SecretBox
from resonance.devstack.demo_identities import DEMO_CLIENTS, DEMO_USERS
from resonance.devstack.kafka import ADMIN, LocalKafka
from resonance.devstack.oidc import create_oidc_app, mint_token
from resonance.devstack.postgres import LocalPostgres
from resonance.devstack.testing import REPO, ThreadedServer, free_port

TENANT = "bench"
PREFIX = "bench."
ITEM = "item-bench-1"
DEADLINE_S = 180


def _proc_cpu() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU seconds (its own and its reaped children's), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = (Path("/proc") / entry / "stat").read_text()
        except OSError:
            continue
        fields = raw.rpartition(")")[2].split()
        table[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    return table


def tree_cpu(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each named process and its descendants (Linux)."""
    if not Path("/proc/self/stat").exists():
        return {}
    table = _proc_cpu()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    used = {}
    for name, root in roots.items():
        total, stack = 0.0, [root]
        while stack:
            pid = stack.pop()
            total += table.get(pid, (0, 0.0))[1]
            stack.extend(children.get(pid, []))
        used[name] = total
    return used


def cpu_report(label: str, before: dict[str, float], after: dict[str, float], n: int) -> str:
    """CPU milliseconds per unit of work, process by process: what bounds the rate on a
    machine where every process of the stack shares the same cores."""
    spent = {k: (after[k] - before[k]) * 1000 / n for k in after if k in before}
    parts = ", ".join(f"{k} {v:.1f}" for k, v in spent.items() if v >= 0.05)
    return f"{label} CPU ms per unit: {parts}; total {sum(spent.values()):.1f}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def uvicorn_cmd(factory: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
        "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def wait_http(url: str, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    print(log.read_text()[-3000:])
    raise RuntimeError(f"{url} did not come up")


async def emit_all(kafka: LocalKafka, events: list[EventData]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers, linger_ms=5, **kafka.client_options()
    )
    await producer.start()
    try:
        for data in events:
            envelope = new_envelope("/bench", TENANT, data)
            await producer.send(
                PREFIX + data.topic, key=envelope.subject.encode(), value=envelope.to_bytes()
            )
        await producer.flush()
    finally:
        await producer.stop()


async def count(url: str, sql: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def wait_count(url: str, sql: str, wanted: int, within_s: float = 120) -> float:
    """Polls until `sql` counts `wanted`; returns the wall-clock time it did."""
    engine = create_async_engine(url)
    deadline = time.monotonic() + within_s
    found = 0
    try:
        async with engine.connect() as conn:
            while time.monotonic() < deadline:
                found = int((await conn.execute(text(sql))).scalar_one())
                await conn.commit()
                if found >= wanted:
                    return time.time()
                await asyncio.sleep(0.05)
    finally:
        await engine.dispose()
    raise RuntimeError(f"only {found} of {wanted} after {within_s} s: {sql}")


async def mint_tokens(sandbox: str, names: list[str]) -> list[str]:
    async with httpx.AsyncClient(base_url=sandbox) as http:
        tokens = []
        for name in names:
            r = await http.post("/_control/tokens", json={"network": "mastodon", "username": name})
            r.raise_for_status()
            tokens.append(r.json()["access_token"])
        return tokens


async def connect_all(url: str, box: SecretBox, ambassadors: list[str], tokens: list[str]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO connections (id, tenant, ambassador_id, network, "
                    "network_user_id, access_token_sealed, status, scopes, expiry_announced, "
                    "connected_at, updated_at, version) VALUES (:id, :tenant, :amb, "
                    "'mastodon', :user, :token, 'connected', '[]', '[]', now(), now(), 1)"
                ),
                [
                    {
                        "id": str(uuid.uuid4()),
                        "tenant": TENANT,
                        "amb": amb,
                        "user": f"user-{amb}",
                        "token": box.seal(token),
                    }
                    for amb, token in zip(ambassadors, tokens, strict=True)
                ],
            )
    finally:
        await engine.dispose()


async def raw_rate(sandbox: str, tokens: list[str], concurrency: int) -> tuple[float, list[float]]:
    """A bare async client posting straight to the sandbox's Mastodon."""
    queue = list(enumerate(tokens))
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=sandbox, limits=limits) as http:

        async def worker() -> None:
            while queue:
                i, token = queue.pop()
                started = time.perf_counter()
                r = await http.post(
                    "/mastodon/api/v1/statuses",
                    json={"status": f"raw post {i} {uuid.uuid4().hex[:6]}"},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"raw-{i}"},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                r.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(tokens) / (time.perf_counter() - started), latencies


async def pipeline(
    api: str,
    sharing_db: str,
    metrics_db: str,
    tokens: list[str],
    concurrency: int,
    snapshot: Callable[[], dict[str, float]],
) -> None:
    queue = list(enumerate(tokens))
    sent_at: dict[str, float] = {}
    request_ms: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=api, limits=limits, timeout=30) as http:

        async def worker() -> None:
            while queue:
                i, token = queue.pop()
                started_wall, started = time.time(), time.perf_counter()
                r = await http.post(
                    "/v1/shares",
                    json={"content_id": ITEM, "networks": ["mastodon"]},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"b-{i}"},
                )
                request_ms.append((time.perf_counter() - started) * 1000)
                if r.status_code != 201:
                    errors.append(f"{r.status_code} {r.text[:200]}")
                    continue
                for share in r.json()["shares"]:
                    sent_at[share["id"]] = started_wall

        cpu_before = snapshot()
        first = time.time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        accepted_in = time.time() - first
    if errors:
        print(f"{len(errors)} refused, e.g. {errors[0]}")
    n = len(sent_at)
    consumed = await wait_count(
        metrics_db,
        f"SELECT coalesce(sum(shares), 0) FROM daily_activity WHERE tenant = '{TENANT}'",
        n,
        within_s=DEADLINE_S,
    )
    cpu_after = snapshot()
    end_to_end = consumed - first
    engine = create_async_engine(sharing_db)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT id, posted_at FROM shares WHERE posted_at IS NOT NULL"))
        ).all()
    await engine.dispose()
    posted_ms = [
        (posted.timestamp() - sent_at[share_id]) * 1000
        for share_id, posted in rows
        if share_id in sent_at and isinstance(posted, datetime)
    ]
    print(
        f"pipeline: {n} shares accepted by the API in {accepted_in:.2f} s "
        f"(request p50 {statistics.median(request_ms):.1f} ms, "
        f"p99 {percentile(request_ms, 0.99):.1f} ms); "
        f"all {n} share.made consumed by metrics after {end_to_end:.2f} s"
    )
    print(
        f"pipeline: {n / end_to_end:.0f} shares/s end to end; request → posted p50 "
        f"{statistics.median(posted_ms):.0f} ms, p99 {percentile(posted_ms, 0.99):.0f} ms "
        f"({len(posted_ms)} posted)"
    )
    print(cpu_report("pipeline", cpu_before, cpu_after, n))
    PIPELINE_RATE.append(n / end_to_end)


PIPELINE_RATE: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shares", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--relay-poll-s",
        type=float,
        default=None,
        help="outbox relays' and scheduler's polling interval (default: the services' own, "
        "as deployed; every idle poll costs the shared cores, so shorter is not faster here)",
    )
    args = parser.parse_args()
    n = args.shares

    root = Path(tempfile.mkdtemp(prefix="resonance-bench-sharing-", dir="/tmp"))
    root.chmod(0o755)
    pg = LocalPostgres(root / "postgres", free_port(), fast=True)
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    processes: list[subprocess.Popen[bytes]] = []
    oidc: ThreadedServer | None = None
    try:
        kafka.start()
        pg.start()
        pg.wait_ready()
        urls = {}
        for service in ("sharing", "metrics"):
            pg.create_database(f"bench_{service}")
            urls[service] = pg.url(f"bench_{service}")
            upgrade_to_head(REPO / "services" / service / "migrations", urls[service])
        oidc_port = free_port()
        issuer = f"http://127.0.0.1:{oidc_port}"
        oidc_app = create_oidc_app(issuer, root / "oidc", DEMO_CLIENTS, DEMO_USERS)
        oidc = ThreadedServer(oidc_app, oidc_port).start()
        kafka.wait_ready()
        kafka.create_topics(all_topics(PREFIX), partitions=3)

        key = SecretBox.generate_key()
        ports = {name: free_port() for name in ("sandbox", "api", "worker", "metrics")}
        sandbox = f"http://127.0.0.1:{ports['sandbox']}"
        # Every process connects as the broker's super user (SASL/SCRAM): the benchmark
        # measures throughput, the ACLs are tested elsewhere.
        common = {k.upper(): v for k, v in kafka.settings_for(ADMIN).items()} | {
            "OIDC_ISSUER": issuer,
            "TOPIC_PREFIX": PREFIX,
            "CONSUMER_GROUP_PREFIX": PREFIX,
            "SECRET_KEYS": json.dumps([key]),
        }
        sharing_env = {f"RESONANCE_SHARING_{k}": v for k, v in common.items()} | {
            "RESONANCE_SHARING_DATABASE_URL": urls["sharing"],
            "RESONANCE_SHARING_MASTODON_API_URL": f"{sandbox}/mastodon",
            "RESONANCE_SHARING_MASTODON_AUTH_URL": f"{sandbox}/mastodon",
            "RESONANCE_SHARING_MASTODON_TOKEN_URL": f"{sandbox}/mastodon",
            "RESONANCE_SHARING_WORKER_PORT": str(ports["worker"]),
        }
        if args.relay_poll_s is not None:
            common["RELAY_POLL_INTERVAL_S"] = str(args.relay_poll_s)
            sharing_env["RESONANCE_SHARING_RELAY_POLL_INTERVAL_S"] = str(args.relay_poll_s)
            sharing_env["RESONANCE_SHARING_SCHEDULER_INTERVAL_S"] = str(args.relay_poll_s)
        metrics_env = {f"RESONANCE_METRICS_{k}": v for k, v in common.items()} | {
            "RESONANCE_METRICS_DATABASE_URL": urls["metrics"],
        }
        base_env = dict(os.environ)
        logs = {name: root / f"{name}.log" for name in ports}
        processes.append(
            spawn(
                [
                    sys.executable,
                    "-m",
                    "resonance.devstack.sandbox",
                    "--port",
                    str(ports["sandbox"]),
                    "--log-level",
                    "warning",
                ],
                base_env,
                logs["sandbox"],
            )
        )
        processes.append(
            spawn(
                uvicorn_cmd("resonance.sharing.main:create_app", ports["api"]),
                base_env | sharing_env,
                logs["api"],
            )
        )
        processes.append(
            spawn(
                [sys.executable, "-m", "resonance.sharing.worker"],
                base_env | sharing_env,
                logs["worker"],
            )
        )
        processes.append(
            spawn(
                uvicorn_cmd("resonance.metrics.main:create_app", ports["metrics"]),
                base_env | metrics_env,
                logs["metrics"],
            )
        )
        for name, port in ports.items():
            path = "/_control/clock" if name == "sandbox" else "/healthz"
            wait_http(f"http://127.0.0.1:{port}{path}", logs[name])
        httpx.put(f"{sandbox}/_control/limits/mastodon", json={"enabled": False}).raise_for_status()

        ambassadors = [f"amb-{i}" for i in range(n)]
        subjects = [f"login-{i}" for i in range(n)]
        events: list[EventData] = [
            AmbassadorEnrolled(
                ambassador_id=amb,
                programme_id="prog-1",
                charter_version="1",
                networks=["mastodon"],
                profile=AmbassadorProfile(country="FR", languages=["en"], timezone="UTC"),
                login_subject=subject,
            )
            for amb, subject in zip(ambassadors, subjects, strict=True)
        ]
        events.append(
            ContentPublished(
                content_id=ITEM,
                family="company",
                format="link",
                title="Our launch",
                url="https://example.com/news/launch",
                language="en",
                captions=[Caption(network="other", language="en", text="Have a look!")],
                targeting=Targeting(),
                disclosure="#employee",
            )
        )
        asyncio.run(emit_all(kafka, events))
        asyncio.run(wait_count(urls["sharing"], "SELECT count(*) FROM ambassador_views", n))
        asyncio.run(wait_count(urls["sharing"], "SELECT count(*) FROM content_views", 1))

        # Raw first, with tokens of other accounts (the pipeline's accounts start fresh).
        raw_tokens = asyncio.run(mint_tokens(sandbox, [f"raw-{i}" for i in range(n)]))
        tokens = asyncio.run(mint_tokens(sandbox, ambassadors))
        asyncio.run(connect_all(urls["sharing"], SecretBox([key]), ambassadors, tokens))
        bearer = [
            mint_token(
                oidc_app.state.signing_key,
                issuer=issuer,
                subject=subject,
                tenant=TENANT,
                roles=["ambassador"],
                ttl=3600,
            )
            for subject in subjects
        ]
        print(
            f"{n} shares, {args.concurrency} concurrent clients, one posting worker; load "
            f"average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        roots = {
            "api": processes[1].pid,
            "worker": processes[2].pid,
            "metrics": processes[3].pid,
            "sandbox": processes[0].pid,
            "postgres": int((pg.data_dir / "postmaster.pid").read_text().split()[0]),
            "kafka": kafka.pid or 0,
        }

        def snapshot() -> dict[str, float]:
            return tree_cpu(roots) | {"bench client": time.process_time()}

        raw_before = snapshot()
        raw, raw_ms = asyncio.run(raw_rate(sandbox, raw_tokens, args.concurrency))
        print(
            f"raw: {raw:.0f} posts/s straight to the sandbox (p50 "
            f"{statistics.median(raw_ms):.1f} ms, p99 {percentile(raw_ms, 0.99):.1f} ms)"
        )
        print(cpu_report("raw", raw_before, snapshot(), n))
        api = f"http://127.0.0.1:{ports['api']}"
        asyncio.run(
            pipeline(api, urls["sharing"], urls["metrics"], bearer, args.concurrency, snapshot)
        )
        posted = httpx.get(
            f"{sandbox}/_control/posts", params={"network": "mastodon", "limit": 10_000}
        )
        texts = [p["text"] for p in posted.json()["posts"] if "raw post" not in p["text"]]
        print(
            f"pipeline at {100 * PIPELINE_RATE[0] / raw:.0f} % of raw (goal >= 50 %); "
            f"sandbox holds {len(texts)} pipeline posts, {len(texts) - len(set(texts))} duplicate"
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if oidc is not None:
            oidc.stop()
        kafka.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
