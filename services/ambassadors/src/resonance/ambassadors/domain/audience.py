"""Audience rules of a programme and who they match (pure)."""

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AGE_BANDS = ("under_25", "25_34", "35_44", "45_54", "55_plus")
MATURITY_LEVELS = ("none", "beginner", "intermediate", "advanced")


class AudienceRules(BaseModel):
    """Within a rule any listed value matches; every non-empty rule must match."""

    model_config = ConfigDict(extra="forbid")

    brands: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    job_families: list[str] = Field(default_factory=list)
    sites: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    worker_types: list[str] = Field(default_factory=list)
    age_bands: list[str] = Field(default_factory=list)
    social_media_maturities: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Person:
    """The targetable attributes of one employee."""

    brand: str | None = None
    entity: str | None = None
    job_family: str | None = None
    site: str | None = None
    country: str | None = None
    languages: tuple[str, ...] = field(default_factory=tuple)
    worker_type: str | None = None
    age_band: str | None = None
    social_media_maturity: str | None = None


def _norm(value: str) -> str:
    return value.strip().casefold()


def _one(allowed: list[str], value: str | None) -> bool:
    if not allowed:
        return True
    return value is not None and _norm(value) in {_norm(a) for a in allowed}


def matches(rules: AudienceRules, person: Person) -> bool:
    if rules.languages and not {_norm(x) for x in person.languages} & {
        _norm(x) for x in rules.languages
    }:
        return False
    return (
        _one(rules.brands, person.brand)
        and _one(rules.entities, person.entity)
        and _one(rules.job_families, person.job_family)
        and _one(rules.sites, person.site)
        and _one(rules.countries, person.country)
        and _one(rules.worker_types, person.worker_type)
        and _one(rules.age_bands, person.age_band)
        and _one(rules.social_media_maturities, person.social_media_maturity)
    )


# Rules on attributes that say something sensitive about a named person (their age).
SENSITIVE_RULES = ("age_bands",)
# k-anonymity threshold: a group smaller than this is not even counted for those who may not
# see sensitive attributes by name.
MIN_GROUP_SIZE = 5

Disclosure = Literal["full", "count_only", "suppressed"]


def uses_sensitive(rules: AudienceRules) -> bool:
    return any(getattr(rules, name) for name in SENSITIVE_RULES)


def disclosure(rules: AudienceRules, size: int, *, may_see_sensitive: bool) -> Disclosure:
    """What a reader may learn of the group `rules` select. Names beside a sensitive rule
    would tell each named person's age band: those who may not see it get a count, and no
    count at all under MIN_GROUP_SIZE (a count of 1 names the person as well as a list)."""
    if may_see_sensitive or not uses_sensitive(rules):
        return "full"
    return "count_only" if size >= MIN_GROUP_SIZE else "suppressed"
