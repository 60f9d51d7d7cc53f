"""Ambassador stages: novice → sharer → curator → creator (pure)."""

from dataclasses import dataclass
from typing import Literal

Stage = Literal["novice", "sharer", "curator", "creator"]
ORDER: tuple[Stage, ...] = ("novice", "sharer", "curator", "creator")


@dataclass(frozen=True)
class Contributions:
    shared_company: bool = False
    shared_market: bool = False
    created_own: bool = False


def record_share(c: Contributions, content_family: str | None) -> Contributions:
    if content_family == "company":
        return Contributions(True, c.shared_market, c.created_own)
    if content_family == "market":
        return Contributions(c.shared_company, True, c.created_own)
    if content_family in ("own", "submission"):
        return Contributions(c.shared_company, c.shared_market, True)
    return c


def stage_of(c: Contributions) -> Stage:
    if c.created_own:
        return "creator"
    if c.shared_market:
        return "curator"
    if c.shared_company:
        return "sharer"
    return "novice"


def advance(current: Stage, c: Contributions) -> Stage:
    """Stages only go forward: a quiet month does not demote anyone."""
    computed = stage_of(c)
    return computed if ORDER.index(computed) > ORDER.index(current) else current
