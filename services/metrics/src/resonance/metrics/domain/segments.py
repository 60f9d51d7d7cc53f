"""Who a board, a challenge or a reward is for: segments of ambassadors and stages (pure).

A segment reads like content targeting (`Targeting` in the event catalogue): within a field
any listed value matches, and every non-empty field must match. The empty segment is everyone.
"""

from dataclasses import dataclass, replace
from typing import Literal

Stage = Literal["novice", "sharer", "curator", "creator"]
STAGES: tuple[Stage, ...] = ("novice", "sharer", "curator", "creator")


@dataclass(frozen=True)
class Profile:
    """The segmenting attributes of one ambassador (from ambassador.enrolled/updated)."""

    programmes: frozenset[str] = frozenset()
    brand: str | None = None
    entity: str | None = None
    site: str | None = None
    country: str | None = None
    job_family: str | None = None
    stage: Stage | None = None


@dataclass(frozen=True)
class Segment:
    programmes: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    job_families: frozenset[str] = frozenset()

    @property
    def is_everyone(self) -> bool:
        return not (
            self.programmes
            or self.brands
            or self.entities
            or self.sites
            or self.countries
            or self.job_families
        )

    def people_part(self) -> "Segment":
        """The conditions on the people's own attributes, without the programmes (what a
        read needs the people's current attributes for)."""
        return replace(self, programmes=frozenset())


EVERYONE = Segment()


def _matches(allowed: frozenset[str], value: str | None) -> bool:
    return not allowed or (value is not None and value in allowed)


def in_segment(profile: Profile, segment: Segment) -> bool:
    """True when `profile` satisfies every non-empty field of `segment`."""
    return (
        (not segment.programmes or bool(segment.programmes & profile.programmes))
        and _matches(segment.brands, profile.brand)
        and _matches(segment.entities, profile.entity)
        and _matches(segment.sites, profile.site)
        and _matches(segment.countries, profile.country)
        and _matches(segment.job_families, profile.job_family)
    )


def stage_at_least(stage: Stage | None, minimum: Stage | None) -> bool:
    """Stages are ordered novice < sharer < curator < creator; an unknown stage is novice."""
    if minimum is None:
        return True
    return STAGES.index(stage or "novice") >= STAGES.index(minimum)
