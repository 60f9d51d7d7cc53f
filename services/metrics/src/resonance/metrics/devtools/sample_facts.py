"""Small factories of the other services' facts, for tests and demo data: a person enrols,
shares, gets clicks. Times are explicit so every figure can be computed by hand."""

from datetime import UTC, datetime
from typing import Any

from resonance.common.events.catalogue import (
    AmbassadorEnrolled,
    AmbassadorProfile,
    LinkClicked,
    ShareMade,
)

# Wednesday 20 May 2026, noon UTC: the tests' "now" unless they move it.
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def enrolment(
    who: str, programme: str = "p1", subject: str | None = None, **profile: Any
) -> AmbassadorEnrolled:
    return AmbassadorEnrolled(
        ambassador_id=who,
        programme_id=programme,
        charter_version="1",
        profile=AmbassadorProfile(programmes=[programme], **profile),
        login_subject=subject or f"sub-{who}",
    )


def share(
    who: str,
    n: int,
    when: datetime,
    family: str = "company",
    network: str = "linkedin",
    content: str | None = None,
    **extra: Any,
) -> ShareMade:
    return ShareMade(
        share_id=f"s-{who}-{n}",
        ambassador_id=who,
        content_id=content or f"c-{n}",
        content_family=family,
        network=network,
        shared_at=when,
        **extra,
    )


def click(
    share_id: str,
    who: str,
    when: datetime,
    content: str,
    network: str = "linkedin",
    **extra: Any,
) -> LinkClicked:
    """A click on a tracked link, naming what the sharing service names: the post, its
    author, item and network (a click may arrive before the post itself)."""
    return LinkClicked(
        link_id=f"l-{share_id}",
        share_id=share_id,
        ambassador_id=who,
        content_id=content,
        network=network,
        clicked_at=when,
        **extra,
    )
