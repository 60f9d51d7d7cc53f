"""The tracked-link redirect (`GET /l/{code}`) against a bare endpoint of the same stack.

Starts its own PostgreSQL (fsync off) and Kafka on loopback in a throwaway folder, inserts
2,000 shares with short codes and their items' addresses by SQL, and runs the sharing service
in one uvicorn process with its background jobs on (so the click recorder drains and writes
clicks while the redirect is measured, as in production). The same process also serves
`GET /bench/bare`: a constant 302 with no lookup and no click, through the same middleware
(request ids, logs, tracing, CORS): the cost of the stack itself.

Each scenario runs 1 and 8 concurrent keep-alive clients (a minimal HTTP/1.1 client, so the
benchmark costs the two shared cores as little as possible) over loopback, bare and redirect
alternated in rounds (which one goes first alternating too), so a change in the machine's
load during the run falls on both alike. Visitors vary by address (X-Forwarded-For, trusted
from loopback) over 50 browser user agents, so most clicks count and the recorder has real
work; at the end the benchmark waits for the recorder to catch up and compares the clicks
counted with the distinct visits made. Goals: redirect at least 50 % of the bare rate,
p99 < 10 ms. With 8 clients always waiting on the server, the mean latency is 8 / rate
(Little's law): p99 < 10 ms there needs more than 800 requests/s from the stack itself.

    uv run python bench/link_redirect.py [--requests 3000] [--concurrency 1,8] [--rounds 5]
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
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from resonance.common.migrations import upgrade_to_head
from resonance.common.secrets_box import SecretBox
from resonance.devstack.kafka import ADMIN, LocalKafka
from resonance.devstack.postgres import LocalPostgres
from resonance.devstack.testing import REPO, free_port

TENANT = "bench"
LINKS = 2_000
MAX_SECONDS_PER_SCENARIO = 30
CATCH_UP_S = 30
BARE = "/bench/bare"

SEED_SQL = f"""
INSERT INTO content_views (tenant, content_id, family, title, url, captions, targeting, live,
  version_at)
SELECT '{TENANT}', 'item-' || i, 'company', 'Item ' || i,
  'https://example.com/news/' || i || '?ref=feed', '[]', '{{}}', true, now()
FROM generate_series(1, 200) i;

INSERT INTO shares (id, tenant, ambassador_id, content_id, content_family, network, text,
  tracked_link, link_code, status, scheduled_for, posted_at, automatic, self_reported, attempts,
  created_at, updated_at, version)
SELECT 'share-' || i, '{TENANT}', 'amb-' || (i % 500), 'item-' || (1 + i % 200), 'company',
  (ARRAY['linkedin', 'x', 'mastodon'])[1 + i % 3], 'text ' || i,
  'http://127.0.0.1/l/code' || lpad(i::text, 8, '0'), 'code' || lpad(i::text, 8, '0'), 'posted',
  now(), now(), false, false, 1, now(), now(), 1
FROM generate_series(1, {LINKS}) i;
ANALYZE;
"""


def bench_app() -> FastAPI:
    """The sharing service as deployed, plus one bare route through the same stack."""
    from resonance.sharing.main import create_app

    app = create_app()

    @app.get(BARE, include_in_schema=False)
    async def bare() -> RedirectResponse:
        return RedirectResponse("https://example.com/news/1", status_code=302)

    return app


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class KeepAlive:
    """A minimal HTTP/1.1 keep-alive client for GETs answered with a Content-Length body:
    httpx would spend about as much CPU per request as the server on the same two cores."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, target: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        parts = head.split(b"\r\n")
        status = int(parts[0].split()[1])
        length = next(
            (
                int(p.split(b":", 1)[1])
                for p in parts[1:]
                if p.lower().startswith(b"content-length:")
            ),
            0,
        )
        return status, await self._reader.readexactly(length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def visitor() -> dict[str, str]:
    """A person: one of 50 browser builds (user agents repeat a lot in real traffic; the
    bot check is cached per user agent) from one of 65,536 addresses, passed as uvicorn's
    trusted proxy header (the benchmark connects from loopback, as a proxy would)."""
    build = random.randrange(50)
    return {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/131.0.{build}.0 Safari/537.36",
        "X-Forwarded-For": f"198.18.{random.randrange(256)}.{random.randrange(256)}",
    }


async def hammer(
    port: int,
    paths: list[str],
    requests: int,
    concurrency: int,
    visits: set[tuple[str, str, str]] | None = None,
) -> tuple[list[float], float, int]:
    """`visits`, if given, collects each (path, address, user agent): the distinct visits,
    which is what the recorder should count (one click per visitor, link and hour)."""
    latencies: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.monotonic() + MAX_SECONDS_PER_SCENARIO
    clients = [KeepAlive("127.0.0.1", port) for _ in range(concurrency)]

    async def worker(client: KeepAlive) -> None:
        nonlocal remaining, errors
        while remaining > 0 and time.monotonic() < deadline:
            remaining -= 1
            headers = visitor()
            path = random.choice(paths)
            if visits is not None and path != BARE:
                visits.add((path, headers["X-Forwarded-For"], headers["User-Agent"]))
            started = time.perf_counter()
            status, _ = await client.request("GET", path, headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 302:
                errors += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(c) for c in clients))
    finally:
        for c in clients:
            await c.close()
    return latencies, time.perf_counter() - started, errors


async def run(
    port: int, requests: int, levels: list[int], rounds: int
) -> set[tuple[str, str, str]]:
    """Prints each scenario's figures; returns the distinct visits made to tracked links."""
    codes = [f"/l/code{i:08d}" for i in range(1, LINKS + 1)]
    visits: set[tuple[str, str, str]] = set()
    # Warm-up: every code into the service's cache, connections and buffers warm, and the
    # warm-up's clicks recorded and relayed before anything is measured.
    await hammer(port, codes, LINKS, 8, visits)
    await hammer(port, [BARE], 500, 8)
    await asyncio.sleep(2.0)
    print(f"{'scenario':24} {'clients':>7} {'n':>6} {'p50 ms':>7} {'p99 ms':>7} {'req/s':>7} err")
    scenarios = {"bare 302 (same stack)": [BARE], "redirect /l/{code}": codes}
    for level in levels:
        latencies: dict[str, list[float]] = {name: [] for name in scenarios}
        elapsed = dict.fromkeys(scenarios, 0.0)
        errors = dict.fromkeys(scenarios, 0)
        for r in range(rounds):
            order = list(scenarios) if r % 2 == 0 else list(scenarios)[::-1]
            for name in order:
                took, seconds, failed = await hammer(
                    port, scenarios[name], requests // rounds, level, visits
                )
                latencies[name] += took
                elapsed[name] += seconds
                errors[name] += failed
        rates = {name: len(latencies[name]) / elapsed[name] for name in scenarios}
        for name, took in latencies.items():
            print(
                f"{name:24} {level:7d} {len(took):6d} {statistics.median(took):7.2f} "
                f"{percentile(took, 0.99):7.2f} {rates[name]:7.0f} {errors[name]}"
            )
        ratio = rates["redirect /l/{code}"] / rates["bare 302 (same stack)"]
        print(f"{'':24} {level:7d} redirect at {100 * ratio:.0f} % of bare (goal >= 50 %)")
    return visits


def wait_for_clicks(pg: LocalPostgres, expected: int) -> tuple[int, float]:
    """The clicks counted once the recorder has caught up (or CATCH_UP_S passed), and when."""
    started = time.monotonic()
    while True:
        counted = int(pg.psql("SELECT count(*) FROM link_clicks", dbname="bench_sharing"))
        waited = time.monotonic() - started
        if counted >= expected or waited > CATCH_UP_S:
            return counted, waited
        time.sleep(0.2)


def start_service(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    command = [sys.executable, "-m", "uvicorn", "--factory", "link_redirect:bench_app"]
    command += ["--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_http(url: str, timeout: float = 240) -> None:
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
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--rounds", type=int, default=5, help="bare/redirect alternations")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="resonance-bench-links-", dir="/tmp"))
    root.chmod(0o755)
    pg = LocalPostgres(root / "postgres", free_port(), fast=True)
    kafka = LocalKafka(root / "kafka", free_port(), free_port())
    service: subprocess.Popen[bytes] | None = None
    try:
        kafka.start()
        pg.start()
        pg.wait_ready()
        pg.create_database("bench_sharing")
        url = pg.url("bench_sharing")
        upgrade_to_head(REPO / "services" / "sharing" / "migrations", url)
        pg.psql(SEED_SQL, dbname="bench_sharing")
        kafka.wait_ready()
        port = free_port()
        kafka_env = {
            f"RESONANCE_SHARING_{k.upper()}": v for k, v in kafka.settings_for(ADMIN).items()
        }
        env = {
            **os.environ,
            **kafka_env,
            "RESONANCE_SHARING_DATABASE_URL": url,
            "RESONANCE_SHARING_OIDC_ISSUER": "http://127.0.0.1:9",
            "RESONANCE_SHARING_SECRET_KEYS": json.dumps([SecretBox.generate_key()]),
        }
        service = start_service(env, port, root / "sharing.log")
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        except RuntimeError:
            print((root / "sharing.log").read_text()[-3000:])
            raise
        print(
            f"{LINKS:,} links; one uvicorn process (click recorder on); load average before: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        levels = [int(c) for c in args.concurrency.split(",")]
        visits = asyncio.run(run(port, args.requests, levels, max(1, args.rounds)))
        counted, waited = wait_for_clicks(pg, len(visits))
        print(
            f"clicks counted: {counted:,} of {len(visits):,} distinct visits, "
            f"{waited:.1f} s after the last request; load average now: {os.getloadavg()[0]:.1f}"
        )
    finally:
        if service is not None:
            service.terminate()
            service.wait(timeout=20)
        kafka.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
