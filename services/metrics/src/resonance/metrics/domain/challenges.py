"""Challenges: a time-boxed goal for a segment, progress per ambassador, one award (pure).

A challenge counts facts whose own time falls in `[starts_at, ends_at)`, whenever they are
processed: a share made at 23:59 on the last day and delivered late still counts. It is
completed the first time the ambassador's in-window value reaches the target, and pays its
award once: the award's ledger key is `challenge:<challenge_id>:<ambassador_id>`, unique in
the store.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from resonance.metrics.domain.periods import require_aware
from resonance.metrics.domain.points import LedgerEntry, Reason, entry_key
from resonance.metrics.domain.segments import EVERYONE, Profile, Segment, in_segment


class ChallengeMetric(StrEnum):
    SHARES = "shares"
    MARKET_SHARES = "market_shares"
    CLICKS = "clicks"
    POINTS = "points"  # points earned in the window (the challenge's own award excluded)
    APPROVED_SUBMISSIONS = "approved_submissions"


@dataclass(frozen=True)
class ChallengeAward:
    points: int = 0
    badge: str | None = None  # a badge code

    def __post_init__(self) -> None:
        if self.points < 0 or (self.points == 0 and self.badge is None):
            raise ValueError("a challenge awards positive points, a badge, or both")


@dataclass(frozen=True)
class Challenge:
    challenge_id: str
    metric: ChallengeMetric
    target: int
    starts_at: datetime
    ends_at: datetime
    award: ChallengeAward
    segment: Segment = EVERYONE

    def __post_init__(self) -> None:
        if self.target <= 0:
            raise ValueError("a challenge target must be positive")
        if require_aware(self.starts_at) >= require_aware(self.ends_at):
            raise ValueError("a challenge must start before it ends")

    def counts_at(self, moment: datetime) -> bool:
        """Whether a fact that happened at `moment` counts towards this challenge."""
        return self.starts_at <= require_aware(moment) < self.ends_at


@dataclass(frozen=True)
class ChallengeProgress:
    value: int
    target: int
    fraction: float  # 0..1, capped: overshooting is still "done"
    remaining: int
    completed: bool


def progress(challenge: Challenge, value: int) -> ChallengeProgress:
    """Progress of one ambassador whose in-window value is `value`."""
    if value < 0:
        raise ValueError("a challenge value cannot be negative")
    return ChallengeProgress(
        value=value,
        target=challenge.target,
        fraction=min(1.0, value / challenge.target),
        remaining=max(0, challenge.target - value),
        completed=value >= challenge.target,
    )


@dataclass(frozen=True)
class Completion:
    challenge_id: str
    ambassador_id: str
    completed_at: datetime
    points: LedgerEntry | None
    badge: str | None

    @property
    def key(self) -> str:
        return completion_key(self.challenge_id, self.ambassador_id)


def completion_key(challenge_id: str, ambassador_id: str) -> str:
    return entry_key(Reason.CHALLENGE, challenge_id, ambassador_id)


def completion(
    challenge: Challenge,
    ambassador_id: str,
    profile: Profile,
    value: int,
    fact_at: datetime,
    already_awarded: bool,
) -> Completion | None:
    """The award due when a fact at `fact_at` brings the in-window value to `value`.

    None when the fact falls outside the window, the person is outside the segment, the target
    is not reached, or the award was already given.
    """
    if already_awarded or not challenge.counts_at(fact_at):
        return None
    if not in_segment(profile, challenge.segment) or not progress(challenge, value).completed:
        return None
    entry = None
    if challenge.award.points > 0:
        entry = LedgerEntry(
            ambassador_id=ambassador_id,
            amount=challenge.award.points,
            reason=Reason.CHALLENGE,
            source_id=challenge.challenge_id,
            occurred_at=fact_at,
            rule_version=None,
            key=completion_key(challenge.challenge_id, ambassador_id),
        )
    return Completion(
        challenge_id=challenge.challenge_id,
        ambassador_id=ambassador_id,
        completed_at=fact_at,
        points=entry,
        badge=challenge.award.badge,
    )
