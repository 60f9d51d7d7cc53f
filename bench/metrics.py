"""Metrics service at scale: 100,000 ambassadors and 1,000,000 shares.

Starts its own PostgreSQL (fsync off) and Kafka on loopback, in throwaway folders; seeds the
aggregates by bulk SQL as ingestion would have left them (shares spread over 120 days, people
following a power law: a few share a lot); then measures, in the same run:

  1. leaderboard and own-rank reads (p50/p95; targets p95 < 20 ms);
  2. KPI reads (p50/p95; target p95 < 100 ms);
     (the rolling 30-day board is built first, as the daily job does; VACUUM ANALYZE after
     the bulk load stands for autovacuum);
  3. ingestion: a backlog of share.made events on Kafka drained by the real consumer into the
     share queue (taken in: durable, offsets committed), against batched INSERTs of the same
     number of rows into PostgreSQL (target: at least 50 % of that rate); and, in the same
     run, the fold job's rate applying them to every aggregate (inbox, points, boards,
     badges, challenges, KPIs), printed beside it.

Reads call the service functions in-process (one unit of work each: SQL and rules, no HTTP).

    uv run python bench/metrics.py [--runs 100] [--events 100000] [--skip-reads]
        [--data DIR] [--kpis-only] [--explain] [--fold-in-consumers] [--folds N]

`--data DIR` keeps the PostgreSQL cluster in DIR and reuses its seeded database on the next
run (migrations still run first, so a new revision's backfill runs on the seeded rows);
`--kpis-only` times the KPI reads alone (no Kafka, no boards, no ingestion); `--explain` logs
each KPI read's statements with their plans (auto_explain, ANALYZE) and prints them;
`--fold-in-consumers` folds in the consumer's process while it takes the events in (by
default the fold is a process of its own, started once they are taken in); `--folds N`
starts N fold processes on the backlog, as KEDA scales fold pods out.
"""

import argparse
import asyncio
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from resonance.common.auth import Principal
from resonance.common.events import new_envelope
from resonance.common.events.catalogue import ShareMade, all_topics
from resonance.common.migrations import upgrade_to_head
from resonance.common.telemetry import kafka_headers
from resonance.devstack.kafka import ADMIN, LocalKafka
from resonance.devstack.postgres import LocalPostgres
from resonance.devstack.testing import REPO, free_port
from resonance.metrics.domain.segments import EVERYONE, Segment
from resonance.metrics.domain.windows import PeriodName, PeriodRequest
from resonance.metrics.main import create_app
from resonance.metrics.service import boards, kpis_content, kpis_people, populations
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store import member_months, population_spans, retention_marks

TENANT = "bench"
AMBASSADORS = 100_000
SHARES = 1_000_000
ITEMS = 2_000
PREFIX = "bench."

SEED_SQL = f"""
INSERT INTO ambassadors (tenant, ambassador_id, login_subject, programmes, brand, entity, site,
  country, job_family, stage, working_days, active, erased, profile_at, updated_at)
SELECT '{TENANT}', 'a' || i, 'sub-a' || i, ARRAY['p' || (i % 5)], 'brand' || (i % 3),
  'entity' || (i % 7), 'site' || (i % 20), (ARRAY['FR','DE','ES','IT','GB'])[1 + i % 5],
  'job' || (i % 12), 'sharer', '{{}}', true, false, now(), now()
FROM generate_series(1, {AMBASSADORS}) i;

INSERT INTO memberships (tenant, programme_id, ambassador_id, invited_at, enrolled_at)
SELECT '{TENANT}', 'p' || (i % 5), 'a' || i, now() - interval '300 days',
  now() - make_interval(days => 1 + i % 240)
FROM generate_series(1, {AMBASSADORS}) i;

INSERT INTO published_content (tenant, content_id, family, published_at, title, targeting)
SELECT '{TENANT}', 'k' || i, CASE WHEN i % 5 = 0 THEN 'company' ELSE 'market' END,
  now() - make_interval(days => i % 150), 'Item ' || i, '{{}}'
FROM generate_series(1, {ITEMS}) i;

CREATE TEMP TABLE s AS
SELECT 1 + floor({AMBASSADORS} * power(random(), 3))::int AS who,
  current_date - floor(random() * 120)::int AS day, 1 + floor(random() * {ITEMS})::int AS item,
  (ARRAY['linkedin', 'x', 'facebook'])[1 + floor(random() * 3)::int] AS network
FROM generate_series(1, {SHARES});

INSERT INTO daily_activity (tenant, day, ambassador_id, content_id, campaign_id, network, family,
  segment_known, programmes, brand, entity, site, country, job_family, shares, clicks,
  internal_clicks, impressions, measured_posts, reactions, comments, reshares, post_clicks)
SELECT '{TENANT}', day, 'a' || who, 'k' || item, '', network,
  CASE WHEN item % 5 = 0 THEN 'company' ELSE 'market' END, true, ARRAY['p' || (who % 5)],
  'brand' || (who % 3), 'entity' || (who % 7), 'site' || (who % 20),
  (ARRAY['FR','DE','ES','IT','GB'])[1 + who % 5], 'job' || (who % 12),
  count(*), 2 * count(*), count(*) / 3, 150 * count(*), count(*), 4 * count(*), count(*),
  count(*) / 2, 3 * count(*)
FROM s GROUP BY day, who, item, network;

INSERT INTO ambassador_daily (tenant, ambassador_id, day, segment_known, programmes, brand,
  entity, site, country, job_family, shares, contributions, clicks, points, last_scored_at)
SELECT tenant, ambassador_id, day, true, min(programmes), min(brand), min(entity), min(site),
  min(country), min(job_family), sum(shares), sum(shares), sum(clicks),
  10 * sum(shares) + sum(clicks), day + make_interval(secs => 30000 + (hashtext(ambassador_id) % 30000))
FROM daily_activity GROUP BY tenant, ambassador_id, day;

INSERT INTO board_scores (tenant, kind, label, ambassador_id, score, reached_at)
SELECT tenant, k.kind, k.label, ambassador_id, sum(points), max(last_scored_at)
FROM ambassador_daily,
LATERAL (VALUES ('week', to_char(day, 'IYYY-"W"IW')), ('month', to_char(day, 'YYYY-MM')),
  ('quarter', to_char(day, 'YYYY-"Q"Q')), ('all_time', 'all-time')) AS k(kind, label)
GROUP BY tenant, k.kind, k.label, ambassador_id;

INSERT INTO point_balances (tenant, ambassador_id, earned, spent, held)
SELECT tenant, ambassador_id, sum(points), 0, 0 FROM ambassador_daily
GROUP BY tenant, ambassador_id;

INSERT INTO ambassador_counters (tenant, ambassador_id, shares, market_shares,
  approved_submissions, longest_weekly_streak, first_share_at, last_share_at)
SELECT tenant, ambassador_id, sum(shares), 0, 0, 1, min(day), max(day)
FROM ambassador_daily GROUP BY tenant, ambassador_id;

-- The badges those counters have earned already (domain/badges.py's share thresholds).
INSERT INTO badge_awards (tenant, ambassador_id, code, title, awarded_at)
SELECT c.tenant, c.ambassador_id, b.code, b.title, now() FROM ambassador_counters c
JOIN (VALUES ('first_share', 'First share', 1), ('shares_10', '10 shares', 10),
  ('shares_50', '50 shares', 50), ('shares_100', '100 shares', 100)) AS b(code, title, n)
  ON c.shares >= b.n;

ANALYZE;
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


Read = Callable[[Any], Awaitable[object]]


async def explained(runtime: Any, pg: LocalPostgres, name: str, read: Read) -> None:
    """Runs `read` with auto_explain on and prints the plans PostgreSQL logged for its last
    run: the sixth on one connection, when prepared statements may have switched to their
    generic plan, as in the timed runs."""
    async with runtime.unit_of_work() as uow:
        for setting in (
            "LOAD 'auto_explain'",
            "SET auto_explain.log_min_duration = 0",
            "SET auto_explain.log_analyze = on",
        ):
            await uow.session.execute(text(setting))
        for _ in range(5):
            await read(uow)
        await asyncio.sleep(0.2)
        start = pg.log_path.stat().st_size if pg.log_path.exists() else 0
        await read(uow)
        for setting in ("RESET auto_explain.log_min_duration", "RESET auto_explain.log_analyze"):
            await uow.session.execute(text(setting))
    await asyncio.sleep(0.2)  # the log collector writes asynchronously
    with pg.log_path.open(errors="replace") as log:
        log.seek(start)
        print(f"\n### plan: {name}\n{log.read()}", flush=True)


async def timed(runtime: Any, name: str, read: Read, runs: int, target_ms: float) -> None:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        async with runtime.unit_of_work() as uow:
            await read(uow)
        samples.append((time.perf_counter() - started) * 1000)
    p95 = percentile(samples, 0.95)
    verdict = "ok" if p95 < target_ms else "OVER"
    print(
        f"| {name} | {percentile(samples, 0.5):.1f} | {p95:.1f} | {target_ms:.0f} | {verdict} |",
        flush=True,
    )


def viewer() -> Principal:
    who = random.randint(1, AMBASSADORS)
    return Principal(f"sub-a{who}", TENANT, frozenset({"ambassador"}))


def last_month() -> PeriodRequest:
    """The last whole month: a quarter of the seeded shares (they span 120 days to today),
    the heaviest month a read meets; "this month" holds as many days as today's date."""
    first_of_this = datetime.now(UTC).date().replace(day=1)
    first_of_last = (first_of_this - timedelta(days=1)).replace(day=1)
    return PeriodRequest(PeriodName.CUSTOM, first_of_last, first_of_this)


def kpi_reads() -> list[tuple[str, Read]]:
    pm = Principal("pm", TENANT, frozenset({"program_manager"}))
    month, quarter = PeriodRequest(PeriodName.MONTH), PeriodRequest(PeriodName.QUARTER)
    last, rolling = last_month(), PeriodRequest(PeriodName.ROLLING_30D)
    site = Segment(sites=frozenset({"site3"}))
    programme = Segment(programmes=frozenset({"p1"}))
    return [
        ("KPI participation, month", lambda u: kpis_people.participation(u, pm, month, EVERYONE)),
        ("KPI concentration, month", lambda u: kpis_people.concentration(u, pm, month, EVERYONE)),
        ("KPI retention, quarter", lambda u: kpis_people.retention(u, pm, quarter, EVERYONE, 12)),
        ("KPI reach, month", lambda u: kpis_content.reach(u, pm, month, EVERYONE)),
        ("KPI networks, month", lambda u: kpis_content.networks(u, pm, month, EVERYONE)),
        ("KPI EMV, month", lambda u: kpis_content.emv(u, pm, month, EVERYONE)),
        ("KPI daily, month", lambda u: kpis_content.daily(u, pm, month, EVERYONE)),
        (
            "KPI top items, month",
            lambda u: kpis_content.top_items(u, pm, month, EVERYONE, "shares", 10),
        ),
        ("KPI reach, month, one site", lambda u: kpis_content.reach(u, pm, month, site)),
        (
            "KPI participation, last month",
            lambda u: kpis_people.participation(u, pm, last, EVERYONE),
        ),
        (
            "KPI concentration, last month",
            lambda u: kpis_people.concentration(u, pm, last, EVERYONE),
        ),
        ("KPI reach, last month", lambda u: kpis_content.reach(u, pm, last, EVERYONE)),
        (
            "KPI networks, last month, one programme",
            lambda u: kpis_content.networks(u, pm, last, programme),
        ),
        ("KPI daily, last month", lambda u: kpis_content.daily(u, pm, last, EVERYONE)),
        (
            "KPI top items, last month",
            lambda u: kpis_content.top_items(u, pm, last, EVERYONE, "shares", 10),
        ),
        (
            "KPI top items, rolling 30 days",
            lambda u: kpis_content.top_items(u, pm, rolling, EVERYONE, "shares", 10),
        ),
        ("KPI reach, last month, one site", lambda u: kpis_content.reach(u, pm, last, site)),
    ]


async def reads(runtime: Any, runs: int, kpis_only: bool) -> None:
    pm = Principal("pm", TENANT, frozenset({"program_manager"}))
    month, rolling = PeriodRequest(PeriodName.MONTH), PeriodRequest(PeriodName.ROLLING_30D)
    all_time = PeriodRequest(PeriodName.ALL)
    site = Segment(sites=frozenset({"site3"}))
    async with runtime.unit_of_work() as uow:
        first = await boards.leaderboard(uow, pm, all_time, EVERYONE, 20, None)
    cursor = first.next_cursor
    print("| read | p50 ms | p95 ms | target p95 | |\n|---|---|---|---|---|")
    board: list[tuple[str, Read]] = [
        ("board month, page 1", lambda u: boards.leaderboard(u, pm, month, EVERYONE, 20, None)),
        (
            "board all time, page 2",
            lambda u: boards.leaderboard(u, pm, all_time, EVERYONE, 20, cursor),
        ),
        ("board month, one site", lambda u: boards.leaderboard(u, pm, month, site, 20, None)),
        ("board rolling 30 days", lambda u: boards.leaderboard(u, pm, rolling, EVERYONE, 20, None)),
        ("own rank, month", lambda u: boards.own_rank(u, viewer(), month, EVERYONE)),
        ("own rank, all time", lambda u: boards.own_rank(u, viewer(), all_time, EVERYONE)),
        ("own rank, rolling 30 days", lambda u: boards.own_rank(u, viewer(), rolling, EVERYONE)),
    ]
    for name, read in [] if kpis_only else board:
        await timed(runtime, name, read, runs, 20)
    for name, read in kpi_reads():
        await timed(runtime, name, read, max(10, runs // 4), 100)


async def raw_insert_rate(runtime: Any, events: int) -> float:
    """Batched INSERTs (500 rows a transaction) of rows the size of a share fact."""
    async with runtime.db.transaction() as session:
        await session.execute(text("DROP TABLE IF EXISTS bench_raw"))  # a kept --data seed
        await session.execute(
            text(
                "CREATE TABLE bench_raw (share_id text PRIMARY KEY, ambassador_id text, "
                "content_id text, network text, shared_at timestamptz)"
            )
        )
    now = datetime.now(UTC)
    rows = [
        {
            "s": f"raw-{i}",
            "a": f"a{i % AMBASSADORS}",
            "c": f"k{i % ITEMS}",
            "n": "linkedin",
            "t": now,
        }
        for i in range(events)
    ]
    started = time.perf_counter()
    for batch in range(0, events, 500):
        async with runtime.db.transaction() as session:
            await session.execute(
                text("INSERT INTO bench_raw VALUES (:s, :a, :c, :n, :t)"), rows[batch : batch + 500]
            )
    return events / (time.perf_counter() - started)


async def produce(kafka: LocalKafka, events: int) -> int:
    """Returns the sum of the topic's end offsets once the events are on it."""
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers, linger_ms=20, **kafka.client_options(ADMIN)
    )
    await producer.start()
    now = datetime.now(UTC)
    try:
        pending = []
        for i in range(events):
            who = 1 + int(AMBASSADORS * random.random() ** 3)
            data = ShareMade(
                share_id=str(uuid.uuid4()),
                ambassador_id=f"a{who}",
                content_id=f"k{1 + i % ITEMS}",
                content_family="market",
                network="linkedin",
                shared_at=now - timedelta(seconds=i),
            )
            envelope = new_envelope("/bench", TENANT, data)
            # The CloudEvents headers the outbox relay sets on every event it publishes.
            headers = {"ce_id": envelope.id, "ce_type": envelope.type, "ce_tenant": TENANT}
            pending.append(
                await producer.send(
                    PREFIX + data.topic,
                    envelope.to_bytes(),
                    key=data.share_id.encode(),
                    headers=kafka_headers(headers),
                )
            )
        written = await asyncio.gather(*pending)
    finally:
        await producer.stop()
    ends: dict[int, int] = {}
    for meta in written:
        ends[meta.partition] = max(ends.get(meta.partition, 0), meta.offset + 1)
    return sum(ends.values())


async def committed(admin: AIOKafkaAdminClient, group: str, topic: str) -> int:
    offsets = await admin.list_consumer_group_offsets(group)
    return sum(o.offset for tp, o in offsets.items() if tp.topic == topic and o.offset > 0)


def start_folder(settings: MetricsSettings) -> subprocess.Popen[bytes]:
    """The fold in a process of its own, as the chart deploys it (metrics-fold)."""
    values = {
        "database_url": settings.database_url,
        "topic_prefix": settings.topic_prefix,
        "consumer_group_prefix": settings.consumer_group_prefix,
        "oidc_issuer": settings.oidc_issuer,
        "configure_logging": "false",
        "folder_port": str(free_port()),
        "kafka_bootstrap_servers": settings.kafka_bootstrap_servers,
        "kafka_security_protocol": settings.kafka_security_protocol,
        "kafka_sasl_mechanism": settings.kafka_sasl_mechanism or "",
        "kafka_username": settings.kafka_username or "",
        "kafka_password": settings.kafka_password.get_secret_value()
        if settings.kafka_password
        else "",
    }
    env = dict(os.environ) | {f"RESONANCE_METRICS_{k.upper()}": v for k, v in values.items()}
    return subprocess.Popen([sys.executable, "-m", "resonance.metrics.folder"], env=env)


async def ingestion_rates(
    settings: MetricsSettings, kafka: LocalKafka, events: int, fold_apart: bool, folds: int = 1
) -> tuple[float, float]:
    """The consumer's rates on a backlog: the events are on Kafka before the service starts
    (as the batched INSERTs have their rows ready), timed from its partition assignment.
    Returns (taken in: the consumer group's committed offsets reach the end of share.made,
    which it commits once each poll is durably in the share queue; folded: the queue
    drained, every event in the inbox, its effects in every aggregate). Progress is read
    from Kafka's group offsets and the small queue table, so the probe adds no scan of a
    large table to the database being measured.

    With `fold_apart` (as deployed: the fold is its own Deployment, scaled on the queue's
    depth) the fold process starts once everything is taken in, so each rate is measured
    alone on the two cores: the consumer's, then the fold's on the backlog it left. Without
    it the fold runs in the consumer's process from the start, as `make run` once did.
    `folds` processes share the backlog, as fold pods scaled out by KEDA would."""
    end = await produce(kafka, events)
    topic = PREFIX + ShareMade.topic
    group = PREFIX + "metrics.facts"
    settings = settings.model_copy(update={"fold_in_consumers": not fold_apart})
    app = create_app(settings)
    runtime = app.state.runtime
    inbox = text("SELECT count(*) FROM inbox")
    queued = text("SELECT count(*) FROM share_queue WHERE parked IS NULL")
    async with runtime.db.session() as session:
        before = (await session.execute(inbox)).scalar_one()  # a kept --data seed has some
    admin = AIOKafkaAdminClient(
        bootstrap_servers=kafka.bootstrap_servers, **kafka.client_options(ADMIN)
    )
    await admin.start()
    folders: list[subprocess.Popen[bytes]] = []
    try:
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            deadline = time.monotonic() + 120
            # On a busy machine the broker may answer after start-up: consumers join later.
            while not runtime.consumers and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            consumer = runtime.consumers[0]
            while not consumer.consumer.assignment() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            started = time.perf_counter()
            while await committed(admin, group, topic) < end:
                await asyncio.sleep(0.02)
            taken_in = time.perf_counter() - started
            if fold_apart:
                folders = [start_folder(settings) for _ in range(folds)]
                started = time.perf_counter()  # its start-up counts against it
            while True:
                async with runtime.db.session() as session:
                    if (await session.execute(queued)).scalar_one() == 0:
                        break
                await asyncio.sleep(0.05)
            folded = time.perf_counter() - started
            async with runtime.db.session() as session:
                applied = (await session.execute(inbox)).scalar_one() - before
            if applied != events:
                raise RuntimeError(f"{applied} of {events} share.made folded")
    finally:
        await admin.close()
        for folder in folders:
            folder.terminate()
        for folder in folders:
            folder.wait(30)
    return events / taken_in, events / folded


def metrics_settings(url: str, kafka: LocalKafka | None) -> MetricsSettings:
    return MetricsSettings(
        database_url=url,
        **(kafka.settings_for(ADMIN) if kafka else {}),  # type: ignore[arg-type]
        topic_prefix=PREFIX,
        consumer_group_prefix=PREFIX,
        configure_logging=False,
        run_jobs=False,
        oidc_issuer="http://127.0.0.1:9",
    )


async def kpis_alone(url: str, pg: LocalPostgres, runs: int, explain: bool) -> None:
    runtime = create_app(metrics_settings(url, None)).state.runtime
    for name, read in kpi_reads()[:3]:  # to compare answers across versions of the code
        async with runtime.unit_of_work() as uow:
            print(f"{name}: {await read(uow)}", flush=True)
    if explain:
        for name, read in kpi_reads()[:3]:
            await explained(runtime, pg, name, read)
    print("| read | p50 ms | p95 ms | target p95 | |\n|---|---|---|---|---|")
    for name, read in kpi_reads():
        await timed(runtime, name, read, max(10, runs // 4), 100)
    await runtime.db.dispose()


async def bench(
    url: str,
    kafka: LocalKafka,
    runs: int,
    events: int,
    skip_reads: bool,
    fold_apart: bool,
    folds: int = 1,
) -> None:
    settings = metrics_settings(url, kafka)
    runtime = create_app(settings).state.runtime
    # What the rolling boards job does once a day per tenant, when its local day changes.
    started = time.perf_counter()
    async with runtime.unit_of_work() as uow:
        await boards.ensure_rolling(uow, TENANT)
    print(f"rolling 30-day board built in {time.perf_counter() - started:.1f} s (once a day)\n")
    async with runtime.db.session() as session:  # autoanalyze would follow such an insert
        await session.execute(text("ANALYZE board_scores"))
    if not skip_reads:
        await reads(runtime, runs, kpis_only=False)
    raw = await raw_insert_rate(runtime, events)
    await runtime.db.dispose()
    ingest, folded = await ingestion_rates(settings, kafka, events, fold_apart, folds)
    where = (
        f"in {folds} process{'es' if folds > 1 else ''} of its own, on the backlog once taken in"
        if fold_apart
        else "in the consumer's process, while it takes the events in"
    )
    print(
        f"\ningestion: {ingest:,.0f} share.made/s taken in through Kafka and the consumer; "
        f"batched INSERT {raw:,.0f} rows/s; ratio {ingest / raw:.1%} (target >= 50 %)\n"
        f"folded into every aggregate (points, boards, badges, KPIs), the fold {where}: "
        f"{folded:,.0f} share.made/s "
        f"({folded / raw:.1%} of the batched INSERTs)"
    )


def seed(pg: LocalPostgres) -> bool:
    """Seeds the database unless a kept one (`--data`) already holds the bench's rows;
    True when it seeded."""
    if (
        pg.psql(f"SELECT count(*) FROM ambassadors WHERE tenant = '{TENANT}'", "bench_metrics")
        != "0"
    ):
        print("reusing the seeded database", flush=True)
        pg.psql("ANALYZE", dbname="bench_metrics")
        return False
    started = time.perf_counter()
    pg.psql(SEED_SQL, dbname="bench_metrics")
    pg.psql("VACUUM ANALYZE", dbname="bench_metrics")  # what autovacuum would do by now
    print(
        f"seeded {AMBASSADORS:,} ambassadors and {SHARES:,} shares in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return True


async def keep_populations(url: str) -> None:
    """What the consumer keeps as memberships change (population spans, retention marks),
    computed at once for the seeded people (a kept database got them from its migration)."""
    runtime = create_app(metrics_settings(url, None)).state.runtime
    started = time.perf_counter()
    async with runtime.unit_of_work() as uow:
        await population_spans.refresh(uow.session, TENANT)
        await retention_marks.refresh(uow.session, TENANT, "UTC")
        await member_months.recount(uow.session, TENANT, "UTC")
    async with runtime.db.session() as session:
        await session.execute(text("ANALYZE population_spans"))
        await session.execute(text("ANALYZE retention_marks"))
        await session.execute(text("ANALYZE ambassador_monthly"))
    await runtime.db.dispose()
    print(
        f"population spans, retention marks and member months in "
        f"{time.perf_counter() - started:.1f} s"
    )


async def ensure_zone(url: str) -> None:
    """What the boards job does each round: counts the kept population models in the
    tenant's zone if they are not (a kept database after a migration that adds one)."""
    runtime = create_app(metrics_settings(url, None)).state.runtime
    started = time.perf_counter()
    async with runtime.unit_of_work() as uow:
        recounted = await populations.ensure_zone(uow, TENANT)
    if recounted:
        async with runtime.db.session() as session:
            await session.execute(text("ANALYZE"))
        print(f"kept population models counted in {time.perf_counter() - started:.1f} s")
    await runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    # Enough that the intake outlasts its start (about 1 s of first fetches) several times.
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--skip-reads", action="store_true", help="ingestion figures only")
    parser.add_argument("--data", type=Path, help="keep the database here and reuse it")
    parser.add_argument("--kpis-only", action="store_true", help="KPI reads only, no Kafka")
    parser.add_argument("--explain", action="store_true", help="print the KPI reads' plans")
    parser.add_argument(
        "--fold-in-consumers",
        action="store_true",
        help="fold in the consumer's process (default: its own process, as deployed)",
    )
    parser.add_argument(
        "--folds", type=int, default=1, help="fold processes sharing the backlog (fold pods)"
    )
    args = parser.parse_args()
    if args.data:
        root = args.data.absolute()
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="resonance-bench-metrics-", dir="/tmp"))
    root.chmod(0o755)
    pg = LocalPostgres(root / "postgres", free_port(), fast=True)
    kafka = None if args.kpis_only else LocalKafka(root / "kafka", free_port(), free_port())
    try:
        if kafka:
            kafka.start()
        pg.start()
        pg.wait_ready()
        pg.create_database("bench_metrics")
        url = pg.url("bench_metrics")
        upgrade_to_head(REPO / "services" / "metrics" / "migrations", url)
        if seed(pg):
            asyncio.run(keep_populations(url))
        asyncio.run(ensure_zone(url))
        print(f"load average before the measures: {os.getloadavg()[0]:.1f}", flush=True)
        if kafka is None:
            asyncio.run(kpis_alone(url, pg, args.runs, args.explain))
            return
        kafka.wait_ready()
        kafka.create_topics(all_topics(PREFIX), partitions=3)
        asyncio.run(
            bench(
                url,
                kafka,
                args.runs,
                args.events,
                args.skip_reads,
                not args.fold_in_consumers,
                args.folds,
            )
        )
    finally:
        if kafka:
            kafka.stop()
        pg.stop()
        if not args.data:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
