"""Concentration of contributions: the top 5 % share and the Gini index (pure).

Both work on a `Distribution`: how many ambassadors made each number of contributions, which is
what `SELECT contributions, count(*) ... GROUP BY contributions` returns, so a KPI read over
100,000 ambassadors handles a few hundred rows, not 100,000. Ambassadors with no contribution
count (they are the long tail the KPI is about): the population is everyone enrolled in the
period and segment.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

TOP_FRACTION = 0.05  # practitioners: "a core of ~5 % of champions makes half of the contributions"


@dataclass(frozen=True)
class Distribution:
    """`buckets`: (contributions, number of ambassadors), ascending by contributions."""

    buckets: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        values = [value for value, _ in self.buckets]
        if values != sorted(set(values)):
            raise ValueError("buckets must be ascending with distinct values")
        if any(value < 0 or people <= 0 for value, people in self.buckets):
            raise ValueError("contributions cannot be negative and buckets cannot be empty")

    @classmethod
    def from_counts(cls, people_by_value: Mapping[int, int]) -> "Distribution":
        """From {contributions: number of ambassadors}; zero-people entries are dropped."""
        return cls(tuple(sorted((v, n) for v, n in people_by_value.items() if n > 0)))

    @classmethod
    def from_values(cls, contributions: Iterable[int]) -> "Distribution":
        """From one number per ambassador (tests and small populations)."""
        return cls.from_counts(Counter(contributions))

    @property
    def people(self) -> int:
        return sum(people for _, people in self.buckets)

    @property
    def total(self) -> int:
        return sum(value * people for value, people in self.buckets)


def top_count(people: int, fraction: float = TOP_FRACTION) -> int:
    """How many ambassadors "the top 5 %" is: ceil(fraction x people), so at least one.

    Computed in decimal: in binary floating point 0.05 x 60 is 3.0000000000000004, whose
    ceiling would wrongly be 4.
    """
    if not 0 < fraction <= 1:
        raise ValueError("the fraction must be in (0, 1]")
    return math.ceil(Decimal(str(fraction)) * people)


@dataclass(frozen=True)
class TopShare:
    people: int  # how many ambassadors form the top
    contributions: int  # what they made
    share: float | None  # of all contributions; None when there were none


def top_share(distribution: Distribution, fraction: float = TOP_FRACTION) -> TopShare:
    """Share of all contributions made by the top `fraction` of ambassadors.

    Ties at the boundary do not matter: the top k people's sum is the same whichever of the
    tied are taken.
    """
    k = top_count(distribution.people, fraction)
    left, taken = k, 0
    for value, people in reversed(distribution.buckets):
        if left == 0:
            break
        n = min(left, people)
        taken += value * n
        left -= n
    total = distribution.total
    return TopShare(people=k, contributions=taken, share=None if total == 0 else taken / total)


def gini(distribution: Distribution) -> float | None:
    """Gini index of contributions: 0 when everyone made as much, (n-1)/n when one made all.

    With values sorted ascending x_1..x_n, G = 2·Σ i·x_i / (n·Σ x) - (n+1)/n, computed on
    integers (a bucket of c people holding positions p+1..p+c adds x·(c·p + c(c+1)/2)).
    None for an empty population or when nobody contributed.
    """
    n, total = distribution.people, distribution.total
    if n == 0 or total == 0:
        return None
    weighted, before = 0, 0
    for value, people in distribution.buckets:
        weighted += value * (people * before + people * (people + 1) // 2)
        before += people
    return (2 * weighted - (n + 1) * total) / (n * total)
