"""Audience targeting: within a field any value matches, across fields all must match, an
empty field (or an empty targeting) means everyone. The feed query mirrors these rules in SQL
(store/feed.py); the unit tests pin both to the same cases."""

from dataclasses import dataclass, field

from resonance.common.events.catalogue import Targeting

# Targeting field -> the profile attribute it is matched against.
SCALAR_FIELDS: dict[str, str] = {
    "brands": "brand",
    "entities": "entity",
    "job_families": "job_family",
    "sites": "site",
    "countries": "country",
    "worker_types": "worker_type",
}
LIST_FIELDS: dict[str, str] = {"languages": "languages", "programmes": "programmes"}


@dataclass(frozen=True)
class AudienceProfile:
    brand: str | None = None
    entity: str | None = None
    job_family: str | None = None
    site: str | None = None
    country: str | None = None
    worker_type: str | None = None
    languages: frozenset[str] = field(default_factory=frozenset)
    programmes: frozenset[str] = field(default_factory=frozenset)


def matches(targeting: Targeting, profile: AudienceProfile) -> bool:
    for target_field, attribute in SCALAR_FIELDS.items():
        wanted: list[str] = getattr(targeting, target_field)
        if wanted and getattr(profile, attribute) not in wanted:
            return False
    for target_field, attribute in LIST_FIELDS.items():
        wanted = getattr(targeting, target_field)
        if wanted and not set(wanted) & getattr(profile, attribute):
            return False
    return True


def normalise(targeting: Targeting) -> Targeting:
    """Trimmed, de-duplicated, sorted values: equal audiences compare equal."""
    return Targeting(
        **{
            name: sorted({v.strip() for v in getattr(targeting, name) if v.strip()})
            for name in Targeting.model_fields
        }
    )
