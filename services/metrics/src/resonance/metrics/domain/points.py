"""Points: the tenant's rules, versioned and never retroactive, and the ledger they write (pure).

A fact (a share, a click...) earns what the rule set *in force at the fact's own time* says,
so replaying or late-arriving facts always earn the same, and a new rule set only applies from
its `effective_from` on (which may not be in the past, see `check_new_rules`). Points once
given are never taken back; spending goes through redemptions (see rewards.py), and the
balance is `earned - spent - held`.

Every ledger entry carries a `key` unique per tenant (e.g. `share:<share_id>`): the store puts a
unique constraint on it, so a fact handled twice earns once.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from resonance.metrics.domain.periods import require_aware


class Reason(StrEnum):
    """Why points were given: the ledger's `reason` column."""

    SHARE = "share"
    CLICK = "click"
    SUBMISSION_APPROVED = "submission_approved"
    CONVERSION = "conversion"
    EVENT_ATTENDED = "event_attended"
    REACH_MILESTONE = "reach_milestone"
    CHALLENGE = "challenge"


class FactKind(StrEnum):
    SHARE = "share"  # share.made
    CLICK = "click"  # link.clicked with an ambassador
    SUBMISSION_APPROVED = "submission_approved"  # submission.approved
    CONVERSION = "conversion"  # an application or lead attributed to a share
    EVENT_ATTENDED = "event_attended"  # an exclusive ambassador event
    REACH_MEASURED = "reach_measured"  # reach.measured: latest cumulative impressions of a post


@dataclass(frozen=True)
class PointRules:
    """One version of a tenant's point rules. Amounts are whole points; 0 disables a rule.

    Caps level out network size and click farming: past `click_cap_per_share` clicks on one
    share, or `click_cap_per_day` clicks for one ambassador in one tenant-local day, clicks
    earn nothing more. `reach_milestones` are (impressions reached by one post, points),
    each paid once per post.
    """

    version: int
    effective_from: datetime
    share_by_network: Mapping[str, int] = field(default_factory=dict)
    share_default: int = 0
    click: int = 0
    click_cap_per_share: int | None = None
    click_cap_per_day: int | None = None
    submission_approved: int = 0
    conversion_by_kind: Mapping[str, int] = field(default_factory=dict)
    conversion_default: int = 0
    event_attended: int = 0
    reach_milestones: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.effective_from)
        amounts = [
            *self.share_by_network.values(),
            self.share_default,
            self.click,
            self.submission_approved,
            *self.conversion_by_kind.values(),
            self.conversion_default,
            self.event_attended,
            *(points for _, points in self.reach_milestones),
        ]
        if any(amount < 0 for amount in amounts):
            raise ValueError("point amounts cannot be negative: points are never taken back")
        caps = (self.click_cap_per_share, self.click_cap_per_day)
        if any(cap is not None and cap < 0 for cap in caps):
            raise ValueError("click caps cannot be negative")
        thresholds = [threshold for threshold, _ in self.reach_milestones]
        if any(t <= 0 for t in thresholds) or thresholds != sorted(set(thresholds)):
            raise ValueError("reach milestones need distinct positive thresholds, ascending")

    def share_points(self, network: str | None) -> int:
        if network is None:
            return self.share_default
        return self.share_by_network.get(network, self.share_default)

    def conversion_points(self, kind: str | None) -> int:
        if kind is None:
            return self.conversion_default
        return self.conversion_by_kind.get(kind, self.conversion_default)


def default_rules(effective_from: datetime) -> PointRules:
    """Our starting preset (no vendor publishes one we could copy; tenants tune it).

    A share is worth 10 on every network, so small networks are not penalised; a click 1, at
    most 20 per share and 50 a day; creating approved content 25; a conversion 50; attending
    an ambassador event 15; a post reaching 1,000 / 10,000 impressions 5 / 20.
    """
    return PointRules(
        version=1,
        effective_from=effective_from,
        share_default=10,
        click=1,
        click_cap_per_share=20,
        click_cap_per_day=50,
        submission_approved=25,
        conversion_default=50,
        event_attended=15,
        reach_milestones=((1_000, 5), (10_000, 20)),
    )


class RulesRefusal(StrEnum):
    VERSION_NOT_NEXT = "version_not_next"
    BACKDATED = "backdated"  # would change what past facts earn
    NOT_AFTER_LATEST = "not_after_latest"


def check_new_rules(
    history: Sequence[PointRules], candidate: PointRules, now: datetime
) -> RulesRefusal | None:
    """Why `candidate` cannot be added to `history` (None: it can).

    Versions are numbered 1, 2, 3... and take effect in that order, never before `now`: a
    fact that already happened keeps the points of the rules in force when it happened.
    """
    latest = max(history, key=lambda r: r.version, default=None)
    expected = 1 if latest is None else latest.version + 1
    if candidate.version != expected:
        return RulesRefusal.VERSION_NOT_NEXT
    if candidate.effective_from < require_aware(now):
        return RulesRefusal.BACKDATED
    if latest is not None and candidate.effective_from <= latest.effective_from:
        return RulesRefusal.NOT_AFTER_LATEST
    return None


def rules_in_force(history: Sequence[PointRules], at: datetime) -> PointRules | None:
    """The rule set with the latest `effective_from` at or before `at` (None: no rules yet)."""
    require_aware(at)
    applicable = [rules for rules in history if rules.effective_from <= at]
    return max(applicable, key=lambda r: r.effective_from, default=None)


@dataclass(frozen=True)
class Fact:
    """A point-bearing fact about one ambassador.

    `source_id` identifies the fact (share id, click event id, submission id, conversion id,
    event id; for REACH_MEASURED the share id). `share_id` is the share a click came through;
    `impressions` is the post's latest cumulative count for REACH_MEASURED.
    """

    kind: FactKind
    ambassador_id: str
    source_id: str
    occurred_at: datetime
    network: str | None = None
    share_id: str | None = None
    conversion_kind: str | None = None
    impressions: int = 0

    def __post_init__(self) -> None:
        require_aware(self.occurred_at)


@dataclass(frozen=True)
class AwardCounters:
    """What the ledger already holds that caps depend on, before this fact.

    `clicks_on_share`: points-bearing clicks already paid on this click's share;
    `clicks_on_day`: points-bearing clicks already paid to this ambassador on the fact's
    tenant-local day; `milestone_reached`: highest reach threshold already paid for this post.
    """

    clicks_on_share: int = 0
    clicks_on_day: int = 0
    milestone_reached: int = 0


@dataclass(frozen=True)
class LedgerEntry:
    ambassador_id: str
    amount: int
    reason: Reason
    source_id: str
    occurred_at: datetime
    rule_version: int | None
    key: str  # unique per tenant: the same fact never earns twice


def entry_key(reason: Reason, source_id: str, detail: str | None = None) -> str:
    base = f"{reason.value}:{source_id}"
    return base if detail is None else f"{base}:{detail}"


def _entry(fact: Fact, rules: PointRules, reason: Reason, amount: int) -> tuple[LedgerEntry, ...]:
    if amount <= 0:
        return ()
    return (
        LedgerEntry(
            ambassador_id=fact.ambassador_id,
            amount=amount,
            reason=reason,
            source_id=fact.source_id,
            occurred_at=fact.occurred_at,
            rule_version=rules.version,
            key=entry_key(reason, fact.source_id),
        ),
    )


def _click_capped(rules: PointRules, counters: AwardCounters) -> bool:
    per_share, per_day = rules.click_cap_per_share, rules.click_cap_per_day
    return (per_share is not None and counters.clicks_on_share >= per_share) or (
        per_day is not None and counters.clicks_on_day >= per_day
    )


def _milestones(fact: Fact, rules: PointRules, already: int) -> tuple[LedgerEntry, ...]:
    return tuple(
        LedgerEntry(
            ambassador_id=fact.ambassador_id,
            amount=points,
            reason=Reason.REACH_MILESTONE,
            source_id=fact.source_id,
            occurred_at=fact.occurred_at,
            rule_version=rules.version,
            key=entry_key(Reason.REACH_MILESTONE, fact.source_id, str(threshold)),
        )
        for threshold, points in rules.reach_milestones
        if already < threshold <= fact.impressions and points > 0
    )


def award(
    fact: Fact, history: Sequence[PointRules], counters: AwardCounters = AwardCounters()
) -> tuple[LedgerEntry, ...]:
    """The ledger entries `fact` earns under the rules in force at `fact.occurred_at`.

    Empty when no rules were in force yet, the amount is 0, or a click cap is reached. The
    store increments its click counters by the CLICK entries it actually inserted.
    """
    rules = rules_in_force(history, fact.occurred_at)
    if rules is None:
        return ()
    match fact.kind:
        case FactKind.SHARE:
            return _entry(fact, rules, Reason.SHARE, rules.share_points(fact.network))
        case FactKind.CLICK:
            if _click_capped(rules, counters):
                return ()
            return _entry(fact, rules, Reason.CLICK, rules.click)
        case FactKind.SUBMISSION_APPROVED:
            return _entry(fact, rules, Reason.SUBMISSION_APPROVED, rules.submission_approved)
        case FactKind.CONVERSION:
            points = rules.conversion_points(fact.conversion_kind)
            return _entry(fact, rules, Reason.CONVERSION, points)
        case FactKind.EVENT_ATTENDED:
            return _entry(fact, rules, Reason.EVENT_ATTENDED, rules.event_attended)
        case FactKind.REACH_MEASURED:
            return _milestones(fact, rules, counters.milestone_reached)


@dataclass(frozen=True)
class Balance:
    """An ambassador's points: `held` are reserved by redemptions not yet fulfilled."""

    earned: int = 0
    spent: int = 0
    held: int = 0

    @property
    def available(self) -> int:
        return self.earned - self.spent - self.held
