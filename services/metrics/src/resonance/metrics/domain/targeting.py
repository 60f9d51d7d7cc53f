"""Whether an item is offered to a person, from its targeting (pure).

Targeting reads like a segment (segments.py): within a field any listed value matches, every
non-empty field must match. Worker types (office, frontline) count too; languages do not,
since this service keeps no person's languages.
"""

from collections.abc import Mapping, Sequence

from resonance.metrics.domain.segments import Profile, Segment, in_segment


def offered_to(
    targeting: Mapping[str, Sequence[str]], profile: Profile, worker_type: str | None
) -> bool:
    def values(name: str) -> frozenset[str]:
        return frozenset(targeting.get(name) or ())

    segment = Segment(
        programmes=values("programmes"),
        brands=values("brands"),
        entities=values("entities"),
        sites=values("sites"),
        countries=values("countries"),
        job_families=values("job_families"),
    )
    worker_types = values("worker_types")
    return in_segment(profile, segment) and (not worker_types or worker_type in worker_types)
