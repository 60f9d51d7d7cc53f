"""Latency and throughput of the ambassador feed for ONE content service process.

Starts its own PostgreSQL, Kafka and OIDC provider (loopback, throwaway folders under /tmp),
loads 100,000 content items (200,000 captions) and 10,000 ambassadors in the projection with
300,000 "already shared" rows by bulk SQL, runs the service with uvicorn in a subprocess
(one worker, background workers off) and calls GET /v1/feed over loopback from this process
with a minimal keep-alive HTTP/1.1 client, as random ambassadors, for a bounded number of
requests per scenario.

Prints p50/p95/p99 latency and requests per second. Target: p95 < 50 ms.
Usage: uv run python bench/content_feed.py [--requests 1000] [--concurrency 1,8]
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx

from resonance.common.migrations import upgrade_to_head
from resonance.devstack.demo_identities import DEMO_CLIENTS, DEMO_USERS
from resonance.devstack.kafka import LocalKafka
from resonance.devstack.oidc import create_oidc_app, mint_token
from resonance.devstack.postgres import LocalPostgres
from resonance.devstack.testing import REPO, ThreadedServer, free_port

ITEMS = 100_000
AMBASSADORS = 10_000
SHARES_PER_AMBASSADOR = 30
TENANT = "acme"
MAX_SECONDS_PER_SCENARIO = 60

COUNTRIES = ["FR", "DE", "ES", "IT", "BE", "NL", "PT", "PL", "SE", "GB"]
JOB_FAMILIES = ["engineering", "sales", "marketing", "finance", "hr", "ops", "legal", "it"]
WORDS = [
    "robotics",
    "hiring",
    "award",
    "logistics",
    "energy",
    "cloud",
    "security",
    "retail",
    "innovation",
    "sustainability",
    "analysis",
    "market",
    "leadership",
    "product",
    "launch",
]

# Everything in SQL: generate_series is orders of magnitude faster than ORM inserts.
LOAD_SQL = f"""
INSERT INTO content_items (
    id, tenant, family, category, format, title, body, url, canonical_url, language, brand,
    tags, t_brands, t_entities, t_job_families, t_sites, t_countries, t_languages,
    t_programmes, t_worker_types, status, pinned, must_read, publish_at, expires_at, feed_at,
    published_at, created_by, created_at, updated_at)
SELECT
    gen_random_uuid(), '{TENANT}',
    CASE WHEN i % 5 = 0 THEN 'company' ELSE 'market' END,
    NULL, CASE WHEN i % 7 = 0 THEN 'text' ELSE 'link' END,
    'Item ' || i || ' about ' || (ARRAY{WORDS}::text[])[1 + i % {len(WORDS)}] || ' and '
        || (ARRAY{WORDS}::text[])[1 + (i / 15) % {len(WORDS)}],
    'Body of item ' || i || ' on ' || (ARRAY{WORDS}::text[])[1 + (i / 7) % {len(WORDS)}],
    'https://news.example.org/a/' || i, 'https://news.example.org/a/' || i,
    (ARRAY['en','fr','de'])[1 + i % 3], (ARRAY['acme','acme-bank','acme-retail'])[1 + i % 3],
    ARRAY[(ARRAY{WORDS}::text[])[1 + i % {len(WORDS)}]],
    CASE WHEN i % 10 = 9 THEN ARRAY[(ARRAY['acme','acme-bank','acme-retail'])[1 + i % 3]]
         ELSE '{{}}'::text[] END,
    '{{}}'::text[],
    CASE WHEN i % 10 IN (6, 8) THEN ARRAY[(ARRAY{JOB_FAMILIES}::text[])[1 + i % 8],
                                          (ARRAY{JOB_FAMILIES}::text[])[1 + (i + 3) % 8]]
         ELSE '{{}}'::text[] END,
    '{{}}'::text[],
    CASE WHEN i % 10 IN (4, 5, 8) THEN ARRAY[(ARRAY{COUNTRIES}::text[])[1 + i % 10],
                                             (ARRAY{COUNTRIES}::text[])[1 + (i / 10) % 10]]
         ELSE '{{}}'::text[] END,
    CASE WHEN i % 10 = 7 THEN ARRAY[(ARRAY['en','fr','de'])[1 + i % 3]] ELSE '{{}}'::text[] END,
    '{{}}'::text[], '{{}}'::text[],
    CASE WHEN i % 50 = 0 THEN 'expired' WHEN i % 53 = 0 THEN 'draft' ELSE 'published' END,
    i <= 3, i % 100 = 0,
    NULL,
    CASE WHEN i % 10 = 1 THEN now() + interval '30 days' ELSE NULL END,
    now() - (i * interval '30 seconds'),
    now() - (i * interval '30 seconds'),
    'bench', now(), now()
FROM generate_series(1, {ITEMS}) AS i;

INSERT INTO captions (item_id, tenant, network, language, variant, text)
SELECT id, tenant, n.network, coalesce(language, 'en'), 1, 'Suggested words for ' || title
FROM content_items, (VALUES ('linkedin'), ('x')) AS n(network);

INSERT INTO ambassadors (tenant, ambassador_id, brand, country, job_family, languages,
                         programmes, active, updated_at)
SELECT '{TENANT}', 'amb-' || a, (ARRAY['acme','acme-bank','acme-retail'])[1 + a % 3],
       (ARRAY{COUNTRIES}::text[])[1 + a % 10], (ARRAY{JOB_FAMILIES}::text[])[1 + a % 8],
       ARRAY[(ARRAY['en','fr','de'])[1 + a % 3]], ARRAY['sharing'], a % 97 <> 0, now()
FROM generate_series(1, {AMBASSADORS}) AS a;

-- Each ambassador already shared some of the newest items: the feed must skip them.
CREATE TEMP TABLE newest AS
SELECT id, (row_number() OVER (ORDER BY feed_at DESC) - 1) AS rn
FROM content_items WHERE status = 'published' ORDER BY feed_at DESC LIMIT 400;
INSERT INTO shares (tenant, ambassador_id, content_id, shared_at)
SELECT '{TENANT}', 'amb-' || a, n.id, now()
FROM generate_series(1, {AMBASSADORS}) AS a
CROSS JOIN generate_series(1, {SHARES_PER_AMBASSADOR}) AS k
JOIN newest AS n ON n.rn = (a * 7 + k * 13) % 400
ON CONFLICT DO NOTHING;
ANALYZE;
"""


def load(pg: LocalPostgres, db: str) -> float:
    started = time.perf_counter()
    pg.psql(LOAD_SQL, dbname=db)
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class KeepAlive:
    """A minimal HTTP/1.1 keep-alive client (GET, Content-Length bodies): the benchmark shares
    the two cores with the service, so the client must cost as little CPU as possible (httpx
    spent about as much CPU per request as the service itself)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, target: str, token: str) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in lines[1:]
            if line.lower().startswith(b"content-length:")
        )
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


ParamMaker = Callable[[KeepAlive, str], Awaitable[dict[str, str]]]


def target(params: dict[str, str]) -> str:
    return "/v1/feed" + (f"?{urlencode(params)}" if params else "")


async def hammer(
    base: tuple[str, int],
    tokens: list[str],
    make_params: ParamMaker | None,
    params: dict[str, str],
    requests: int,
    concurrency: int,
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.monotonic() + MAX_SECONDS_PER_SCENARIO
    clients = [KeepAlive(*base) for _ in range(concurrency)]

    async def worker(client: KeepAlive) -> None:
        nonlocal remaining, errors
        while remaining > 0 and time.monotonic() < deadline:
            remaining -= 1
            token = random.choice(tokens)
            query = dict(params)
            if make_params is not None:
                query.update(await make_params(client, token))
            path = target(query)
            started = time.perf_counter()
            status, _ = await client.get(path, token)
            latencies.append((time.perf_counter() - started) * 1000)
            if status not in (200, 403):  # 1 in 97 ambassadors has left
                errors += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(c) for c in clients))
    finally:
        for c in clients:
            await c.close()
    elapsed = time.perf_counter() - started
    return latencies, elapsed, errors


async def cursor_of(client: KeepAlive, token: str) -> dict[str, str]:
    """Fetches page 1 (not timed) so the timed request is page 2."""
    status, body = await client.get("/v1/feed", token)
    cursor = json.loads(body).get("next_cursor") if status == 200 else None
    return {"cursor": cursor} if cursor else {}


async def run_scenarios(
    base: tuple[str, int], tokens: list[str], requests: int, concurrency: int
) -> None:
    # Warm up connections, the JWKS cache and PostgreSQL's buffers.
    await hammer(base, tokens, None, {}, 200, concurrency)
    print(f"\n{concurrency} concurrent client(s), {requests} requests per scenario")
    scenarios: list[tuple[str, dict[str, str], ParamMaker | None]] = [
        ("feed, first page (20)", {}, None),
        ("feed, next page via cursor", {}, cursor_of),
        ("feed, family=company", {"family": "company"}, None),
        ("feed, full-text q=robotics", {"q": "robotics"}, None),
        ("feed, limit=50", {"limit": "50"}, None),
    ]
    print(f"{'scenario':32} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} err")
    for name, params, maker in scenarios:
        latencies, elapsed, errors = await hammer(
            base,
            tokens,
            maker,
            params,
            requests,
            concurrency,
        )
        print(
            f"{name:32} {len(latencies):6d} {statistics.median(latencies):8.1f} "
            f"{percentile(latencies, 0.95):8.1f} {percentile(latencies, 0.99):8.1f} "
            f"{len(latencies) / elapsed:8.0f} {errors}"
        )


def start_service(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    # The service's access log goes to a file: printing it would cost the service time.
    out = log.open("wb")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "resonance.content.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            "1",
        ],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--concurrency", default="1,8", help="comma-separated numbers of concurrent clients"
    )
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="resonance-bench-feed-", dir="/tmp"))
    root.chmod(0o755)
    pg = LocalPostgres(root / "postgres", free_port(), fast=True)
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    oidc: ThreadedServer | None = None
    service: subprocess.Popen[bytes] | None = None
    try:
        kafka.start()
        pg.start()
        pg.wait_ready()
        pg.create_database("bench_content")
        url = pg.url("bench_content")
        upgrade_to_head(REPO / "services" / "content" / "migrations", url)
        seconds = load(pg, "bench_content")
        print(
            f"loaded {ITEMS:,} items, {2 * ITEMS:,} captions, {AMBASSADORS:,} ambassadors, "
            f"~{AMBASSADORS * SHARES_PER_AMBASSADOR:,} shares in {seconds:.1f} s"
        )
        oidc_port = free_port()
        issuer = f"http://127.0.0.1:{oidc_port}"
        oidc_app = create_oidc_app(issuer, root / "oidc", DEMO_CLIENTS, DEMO_USERS)
        oidc = ThreadedServer(oidc_app, oidc_port).start()
        key = oidc_app.state.signing_key
        tokens = [
            mint_token(
                key,
                issuer=issuer,
                subject=f"amb-{random.randint(1, AMBASSADORS)}",
                tenant=TENANT,
                roles=["ambassador"],
                ttl=3600,
            )
            for _ in range(500)
        ]
        kafka.wait_ready()
        port = free_port()
        env = {
            **os.environ,
            "RESONANCE_CONTENT_DATABASE_URL": url,
            **{
                f"RESONANCE_CONTENT_{k.upper()}": v
                for k, v in kafka.settings_for("content").items()
            },
            "RESONANCE_CONTENT_OIDC_ISSUER": issuer,
            "RESONANCE_CONTENT_RUN_BACKGROUND_WORKERS": "false",
        }
        service = start_service(env, port, root / "content.log")
        base_url = f"http://127.0.0.1:{port}"
        wait_http(f"{base_url}/healthz")
        print(
            f"one uvicorn process on loopback, at most {MAX_SECONDS_PER_SCENARIO} s per scenario; "
            f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        for level in (int(c) for c in args.concurrency.split(",")):
            asyncio.run(run_scenarios(("127.0.0.1", port), tokens, args.requests, level))
    finally:
        if service is not None:
            service.terminate()
            service.wait(timeout=20)
        if oidc is not None:
            oidc.stop()
        kafka.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
