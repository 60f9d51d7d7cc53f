"""Campaign day, end to end, beside the limits of the same run (issue 12, part 1).

Starts a platform of its own (bench/campaign_kit/stack.py: PostgreSQL with fsync off, Kafka,
the OIDC provider, the social sandbox, content, ambassadors, the sharing API, N posting
workers and metrics, each its own process as `make run` starts them). Then:

  1. N ambassadors provisioned through SCIM, enrolled through their invitation (working days
     and time zone set by themselves), 90 % connected to the sandbox's Mastodon or LinkedIn,
     60 % opted in to campaign auto-share, 20 % sharing by hand during the campaign;
  2. the limits, measured now on the same machine: the sandbox's raw accept rate (a bare
     async client), raw Kafka produce/consume (aiokafka, 1 kB records), batched PostgreSQL
     INSERTs (500 rows a transaction);
  3. a campaign created, filled and launched through the content API, its window short
     (`--window`, 60 s by default) so the auto-shares come as a burst; the manual shares
     are requested over the same window (auto-shares that the planner reaches only after
     the window's end are skipped by design: the run reports how many were planned);
  4. the run ends when every share is posted (or failed) and metrics count them all.

Printed: shares posted/s at the sandbox and end to end (launch → the last share counted by
metrics), p50/p99 launch → post, due → post, manual request → post and post → leaderboard
(points ledger), consumer lag per group over time, CPU seconds per process, and the check of
the sandbox's ground truth (nothing lost, nothing twice) and of metrics' totals.
Goals: whole campaign posted and counted; end to end >= 50 % of the sandbox's raw rate;
p99 post → leaderboard < 2 s.

    uv run python bench/campaign.py [--ambassadors 10000] [--workers 3] [--window 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import datetime
from typing import Any

from campaign_kit import campaign as run
from campaign_kit import probes
from campaign_kit.people import connect, opt_in, provision
from campaign_kit.stack import CampaignStack

Figures = dict[str, list[float]]


def _ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"p50 {statistics.median(values) * 1000:,.0f} ms, "
        f"p99 {probes.percentile(values, 0.99) * 1000:,.0f} ms (n={len(values)})"
    )


def _epoch(value: Any) -> float:
    return (
        value.timestamp()
        if isinstance(value, datetime)
        else datetime.fromisoformat(value).timestamp()
    )


async def latencies(
    stack: CampaignStack,
    rows: list[Any],
    posts: list[dict[str, Any]],
    launched: run.Launch,
    manual: run.ManualShares,
) -> Figures:
    posted_at = {p["text"]: _epoch(p["created_at"]) for p in posts}
    ledger = await run._rows(
        stack.pg.dsn("campaign_metrics"),
        "SELECT source_id, recorded_at FROM points_ledger WHERE tenant = $1 AND reason = 'share'",
        stack.tenant,
    )
    counted_at = {r["source_id"]: r["recorded_at"].timestamp() for r in ledger}
    figures: Figures = {"launch": [], "due": [], "manual": [], "board": [], "at": [], "counted": []}
    for row in rows:
        at = posted_at.get(row["text"])
        if row["status"] != "posted" or at is None:
            continue
        figures["at"].append(at)
        if row["automatic"]:
            figures["launch"].append(at - launched.launched_at)
            figures["due"].append(at - row["scheduled_for"].timestamp())
        elif row["id"] in manual.requested_at:
            figures["manual"].append(at - manual.requested_at[row["id"]])
        if row["id"] in counted_at:
            figures["board"].append(counted_at[row["id"]] - at)
            figures["counted"].append(counted_at[row["id"]])
    return figures


def print_lag(sampler: probes.LagSampler, since: float) -> None:
    groups = sorted({g for _, lags in sampler.samples for g in lags})
    if not groups:
        print("consumer lag: no samples")
        return
    print("consumer lag (records behind, per group) over time:")
    print("   t (s) " + " ".join(f"{g[:22]:>22}" for g in groups))
    step = max(1, len(sampler.samples) // 20)
    for at, lags in sampler.samples[::step]:
        cells = " ".join(f"{lags.get(g, 0):>22,}" for g in groups)
        print(f"  {at - since:6.0f} {cells}")
    peaks = {g: max(lags.get(g, 0) for _, lags in sampler.samples) for g in groups}
    print("  peak   " + " ".join(f"{peaks[g]:>22,}" for g in groups))


async def bench(args: argparse.Namespace) -> None:
    with CampaignStack(workers=args.workers, tenant="bench", prefix="bench.") as stack:
        started = time.monotonic()
        await stack.start()
        print(f"platform up in {time.monotonic() - started:.0f} s ({args.workers} workers)")
        started = time.monotonic()
        people = await provision(stack, args.ambassadors, concurrency=args.concurrency)
        took = time.monotonic() - started
        print(
            f"{len(people):,} ambassadors provisioned through SCIM and enrolled in {took:.0f} s "
            f"({len(people) / took:.1f} people/s, 5 API calls each)"
        )
        started = time.monotonic()
        await connect(stack, people)
        await opt_in(stack, people, concurrency=args.concurrency)
        print(f"connected and opted in in {time.monotonic() - started:.0f} s")

        load = os.getloadavg()
        raw_sandbox = await probes.sandbox_raw_rate(stack, args.raw_posts)
        produced, consumed = await probes.kafka_raw_rates(stack, args.raw_records)
        inserts = await probes.postgres_raw_rate(stack, args.raw_records)
        print(
            f"limits (same run, load average {load[0]:.1f} on {os.cpu_count()} CPUs): sandbox "
            f"{raw_sandbox:,.0f} posts/s (bare async client, 8 concurrent); Kafka produce "
            f"{produced:,.0f}/s, consume {consumed:,.0f}/s (1 kB records); PostgreSQL "
            f"{inserts:,.0f} rows/s (batched INSERTs of 500)"
        )

        sampler = probes.LagSampler(stack)
        lag_task = asyncio.create_task(sampler.run())
        cpu_before, cpu_started = probes.cpu_snapshot(stack), time.monotonic()
        launched = await run.launch(stack, args.window)
        manual = await run.share_by_hand(stack, people, launched.item_ids[0], args.window)
        # Auto-shares planned after the window's end are skipped (plan_campaign): the run
        # settles once the window is over and the shares stop changing.
        rows = await run.wait_settled(
            stack, len(manual.requested_at), args.deadline, after=launched.ends_at.timestamp()
        )
        differences = await run.wait_metrics_match(stack, rows, within_s=args.deadline)
        counted_all = time.time()  # metrics' per-network activity equals the ground truth
        cpu_after, elapsed = probes.cpu_snapshot(stack), time.monotonic() - cpu_started
        lag_task.cancel()
        posts = await run.ground_truth(stack)
        outcome = run.audit(rows, posts)
        figures = await latencies(stack, rows, posts, launched, manual)

        auto = [r for r in rows if r["automatic"]]
        opted = sum(p.role == "auto" for p in people)
        planning = max(r["created_at"] for r in auto) - min(r["created_at"] for r in auto)
        print(
            f"\nauto-share planning: {len(auto):,} of {opted:,} opted-in people planned "
            f"(the rest fell after the window's end), rows created over "
            f"{planning.total_seconds():.1f} s after the launch was consumed"
        )
        print(
            f"campaign: {len(rows):,} shares ({len(auto):,} auto, "
            f"{len(manual.requested_at):,} manual): {outcome.posted:,} posted, failed "
            f"{dict(outcome.failed)}; problems {len(outcome.problems)} "
            f"{outcome.problems[:3]}; metrics differences {len(differences)} {differences[:3]}"
        )
        if figures["at"]:
            burst = max(figures["at"]) - min(figures["at"])
            at_sandbox = len(figures["at"]) / burst if burst > 0 else float("nan")
            end_to_end = outcome.posted / (counted_all - launched.launched_at)
            print(
                f"throughput: {at_sandbox:,.0f} shares/s posted at the sandbox (first to last "
                f"post, {burst:.1f} s); {end_to_end:,.1f} shares/s end to end (launch to all "
                f"counted by metrics, window included); {100 * end_to_end / raw_sandbox:.0f} % of the "
                f"sandbox's raw rate (goal >= 50 %)"
            )
        print(f"launch → post (auto): {_ms(figures['launch'])}")
        print(f"due → post (auto):    {_ms(figures['due'])}")
        print(f"manual request → post: {_ms(figures['manual'])}")
        print(
            f"post → leaderboard:   {_ms(figures['board'])} (goal p99 < 2 s; manual shares: "
            "auto-shares earn no points by design)"
        )
        print_lag(sampler, launched.launched_at)
        print(f"CPU seconds over the campaign ({elapsed:.0f} s wall, % of one core):")
        for name in sorted(cpu_after, key=lambda n: -(cpu_after[n] - cpu_before.get(n, 0))):
            used = cpu_after[name] - cpu_before.get(name, 0)
            print(f"  {name:<12} {used:7.1f} s  {100 * used / elapsed:5.0f} %")
        crashed = {n: p.crashes for n, p in stack.processes.items() if p.crashes}
        print(f"load average after: {os.getloadavg()[0]:.1f}; processes that crashed: {crashed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ambassadors", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--window", type=float, default=60.0, help="campaign window, seconds")
    parser.add_argument("--concurrency", type=int, default=16, help="API clients provisioning")
    parser.add_argument("--raw-posts", type=int, default=2_000)
    parser.add_argument("--raw-records", type=int, default=20_000)
    parser.add_argument("--deadline", type=float, default=1_800, help="seconds to settle")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
