"""The `demo data` lines `make run` prints: what the demo activity did, and where to look."""

from __future__ import annotations

from collections.abc import Callable

from resonance.devstack.demo_connect import NETWORKS, PEOPLE
from resonance.devstack.demo_metrics import MetricsDemo
from resonance.devstack.demo_sharing import SharingDemo


def sharing_lines(demo: SharingDemo) -> list[str]:
    connected = sum(len(n) for n in demo.connections.values())
    left = [
        f"{p.username}'s {n}"
        for p in PEOPLE
        for n in NETWORKS
        if n not in demo.connections.get(p.username, [])
    ]
    people = ", ".join(p.username for p in PEOPLE)
    lines = [
        f"sharing: {len(PEOPLE)} ambassadors enrolled ({people}; password 'resonance'), "
        f"{connected} accounts connected at the sandbox through OAuth"
        + (f" ({', '.join(left)} left to connect in a browser)" if left else "")
    ]
    if demo.already:
        return [*lines, "sharing: shared on an earlier run (the sandbox's posts reset on restart)"]
    failed = [s for s in demo.shares if s["status"] == "failed"]
    lines.append(
        f"sharing: {len(demo.posted())} posts made, {len(demo.scheduled())} scheduled "
        + ", ".join(f"{s['network']} at {s['scheduled_for'][11:16]} UTC" for s in demo.scheduled())
        + (f", {len(failed)} failed" if failed else "")
    )
    if demo.clicked_share is not None:
        lines.append(
            f"links:   {demo.clicked_share['tracked_link']} opened twice by a visitor "
            "(1 click) and by LinkedInBot (not counted)"
            + ("; the careers site reported an application" if demo.conversion else "")
        )
    lines.append("reach:   first readings about a minute after posting (local reach schedule)")
    return lines


def metrics_lines(demo: MetricsDemo, sharing: SharingDemo) -> list[str]:
    names = {v: k for k, v in sharing.ambassador_ids.items()}
    board = ", ".join(
        f"{names.get(e['ambassador_id'], e['ambassador_id'][:8])} {e['score']}"
        for e in demo.board[:6]
    )
    p = demo.participation
    rewards = ", ".join(demo.rewards)
    lines = [
        f"metrics: all-time board {board or '(empty)'}; "
        f"{p.get('sharers', 0)} of {p.get('enrolled', 0)} enrolled shared",
        f"metrics: rewards {rewards}"
        + ("; hugo's redemption awaits approval" if demo.redemption else "")
        + ("; digest preview renders" if demo.digest_bytes else ""),
    ]
    return lines


def where_to_look(issuer: str, url: Callable[[str], str]) -> list[str]:
    token = (
        f"curl -s {issuer}/token -d grant_type=password -d password=resonance "
        "-d client_id=resonance-cli -d username=$1 | python3 -c "
        "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"
    )
    return [
        f"look:    tok() {{ {token}; }}",
        f'look:    curl -s -H "Authorization: Bearer $(tok adam)" {url("sharing")}/v1/shares',
        f'look:    curl -s -H "Authorization: Bearer $(tok paul)" '
        f'"{url("metrics")}/v1/leaderboards?period=all"   (also /v1/kpis/participation, '
        "/v1/kpis/networks; adam: /v1/me/points, /v1/me/badges)",
        f'look:    curl -s -H "Authorization: Bearer $(tok paul)" '
        f"{url('metrics')}/v1/digests/preview > digest.html",
        f"look:    {url('sandbox')}/_control/posts (what the networks received), "
        f"{url('mail')}/ (mail sink)",
    ]
