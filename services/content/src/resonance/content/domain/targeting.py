"""Audience targeting: within a field any value matches, across fields all must match, an
empty field (or an empty targeting) means everyone. Values are compared trimmed and without
regard to case ("marketing" reaches "Marketing"); they keep the spelling they were given.
The feed query mirrors these rules in SQL (store/feed.py); the unit tests pin both to the
same cases."""

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


def fold(value: str) -> str:
    """The form values are compared in: trimmed, lower case (the feed query compares
    lower(btrim(...)) the same way)."""
    return value.strip().lower()


def matches(targeting: Targeting, profile: AudienceProfile) -> bool:
    for target_field, attribute in SCALAR_FIELDS.items():
        wanted = {fold(v) for v in getattr(targeting, target_field)}
        value: str | None = getattr(profile, attribute)
        if wanted and (value is None or fold(value) not in wanted):
            return False
    for target_field, attribute in LIST_FIELDS.items():
        wanted = {fold(v) for v in getattr(targeting, target_field)}
        if wanted and not wanted & {fold(v) for v in getattr(profile, attribute)}:
            return False
    return True


def clean_values(values: list[str]) -> list[str]:
    """Trimmed (inner whitespace collapsed), one spelling per value whatever its case (the
    first given), sorted."""
    kept: dict[str, str] = {}
    for value in values:
        tidy = " ".join(value.split())
        if tidy:
            kept.setdefault(fold(tidy), tidy)  # fold: "Marketing" and "marketing" are one
    return sorted(kept.values(), key=lambda v: (fold(v), v))


def normalise(targeting: Targeting) -> Targeting:
    """Cleaned values (clean_values): equal audiences compare equal."""
    return Targeting(
        **{name: clean_values(getattr(targeting, name)) for name in Targeting.model_fields}
    )
