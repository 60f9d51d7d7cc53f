"""Reach: when to poll a post's metrics, how to batch the calls, and estimates (pure).

A post gathers most of its audience in its first hours, so metrics are read on a decaying
schedule (1 h, 6 h, 1 d, 3 d, 7 d and 30 d after posting). Reach is *measured* where the
network gives impressions (X; LinkedIn with the member analytics permission) and otherwise
*estimated* as audience size x the tenant's reach rate for the network (default 3.5 %).
The two are labelled and summed apart, never mixed.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import groupby

from resonance.sharing.domain.networks import Network, ShareMode, profile

POLL_OFFSETS = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=30),
)
DEFAULT_REACH_RATE = Decimal("0.035")
# Post ids per metrics call: X's GET /2/tweets takes 100; LinkedIn and Mastodon one each.
METRICS_BATCH_SIZE: dict[Network, int] = {Network.X: 100}
# X gives non-public and organic metrics only for posts younger than this, and only with
# the author's own token.
X_NON_PUBLIC_MAX_AGE = timedelta(days=30)


def next_poll_at(
    posted_at: datetime,
    last_polled_at: datetime | None = None,
    offsets: Sequence[timedelta] = POLL_OFFSETS,
) -> datetime | None:
    """The next time to read this post's metrics, None when the schedule is over.

    The first offset whose moment is after the last poll: a poller that was down and missed
    several moments polls once (now, as the moment is past), not once per missed moment.
    """
    for offset in sorted(offsets):
        moment = posted_at + offset
        if last_polled_at is None or moment > last_polled_at:
            return moment
    return None


@dataclass(frozen=True)
class PollTarget:
    share_id: str
    network: Network
    post_id: str
    account_id: str  # the connection whose token reads this post's private metrics
    posted_at: datetime


@dataclass(frozen=True)
class MetricsBatch:
    """One metrics call. `account_id` None: read with the app's own credentials."""

    network: Network
    account_id: str | None
    post_ids: tuple[str, ...]
    share_ids: tuple[str, ...]
    non_public: bool = False


def _chunks(targets: Sequence[PollTarget], size: int) -> Iterable[Sequence[PollTarget]]:
    for start in range(0, len(targets), size):
        yield targets[start : start + size]


def plan_metrics_batches(targets: Sequence[PollTarget], *, now: datetime) -> list[MetricsBatch]:
    """The calls that read the metrics of `targets`, as few as each network allows.

    X posts younger than 30 days are read per author (their token, with non-public
    metrics), up to 100 a call; older ones with public metrics only, 100 a call whatever the
    author. Other networks: one post a call, with the author's token.
    """

    def key(t: PollTarget) -> tuple[str, bool, str]:
        young = t.network is Network.X and now - t.posted_at < X_NON_PUBLIC_MAX_AGE
        per_account = t.network is not Network.X or young
        return (t.network.value, young, t.account_id if per_account else "")

    batches: list[MetricsBatch] = []
    ordered = sorted(targets, key=lambda t: (*key(t), t.posted_at, t.post_id))
    for (_, young, account), group in groupby(ordered, key=key):
        members = list(group)
        network = members[0].network
        for chunk in _chunks(members, METRICS_BATCH_SIZE.get(network, 1)):
            batches.append(
                MetricsBatch(
                    network,
                    account or None,
                    tuple(t.post_id for t in chunk),
                    tuple(t.share_id for t in chunk),
                    non_public=young,
                )
            )
    return batches


def measures_reach(network: str | Network, *, linkedin_analytics: bool = False) -> bool:
    """Whether the network tells us how many people saw a post.

    X gives impressions; LinkedIn only with `r_member_postAnalytics` (`linkedin_analytics`);
    Mastodon gives replies, boosts and favourites but no views; share intents give nothing.
    """
    p = profile(network)
    if p.mode is ShareMode.INTENT:
        return False
    if p.network is Network.LINKEDIN:
        return linkedin_analytics
    return p.network is Network.X


class ReachKind(StrEnum):
    MEASURED = "measured"
    ESTIMATED = "estimated"


@dataclass(frozen=True)
class Reach:
    value: int
    kind: ReachKind


def measured_reach(impressions: int) -> Reach:
    return Reach(max(0, impressions), ReachKind.MEASURED)


def reach_rate(
    network: str | Network, tenant_rates: Mapping[str, Decimal] | None = None
) -> Decimal:
    """The tenant's share of an account's audience one post reaches on `network`."""
    key = profile(network).network.value
    return (tenant_rates or {}).get(key, DEFAULT_REACH_RATE)


def estimate_reach(audience_size: int | None, rate: Decimal = DEFAULT_REACH_RATE) -> Reach | None:
    """audience x rate, rounded half up (1,000 followers at 3.5 % reach 35); None if unknown."""
    if audience_size is None or audience_size < 0:
        return None
    value = (Decimal(audience_size) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Reach(int(value), ReachKind.ESTIMATED)


def shown_reach(measured: Reach | None, estimated: Reach | None) -> Reach | None:
    """The one figure to show for a post: measured when there is one, else the estimate."""
    return measured if measured is not None else estimated


@dataclass(frozen=True)
class ReachTotals:
    """Reach summed over many posts, measured and estimated kept apart."""

    measured: int = 0
    estimated: int = 0
    measured_posts: int = 0
    estimated_posts: int = 0

    def add(self, reach: Reach) -> "ReachTotals":
        if reach.kind is ReachKind.MEASURED:
            return ReachTotals(
                self.measured + reach.value,
                self.estimated,
                self.measured_posts + 1,
                self.estimated_posts,
            )
        return ReachTotals(
            self.measured,
            self.estimated + reach.value,
            self.measured_posts,
            self.estimated_posts + 1,
        )


def total_reach(reaches: Iterable[Reach]) -> ReachTotals:
    totals = ReachTotals()
    for reach in reaches:
        totals = totals.add(reach)
    return totals
