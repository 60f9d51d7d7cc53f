"""Rules on what an item holds, whichever door it comes in by (created, edited, approved
from a submission, ingested from a source)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from resonance.common.events.catalogue import Targeting
from resonance.content.domain.errors import InvalidCategory, InvalidValue, InvalidWindow, MissingUrl
from resonance.content.domain.targeting import normalise
from resonance.content.domain.taxonomy import category_error

# Fields an edit may set but never to null.
NOT_NULL = ("format", "title", "pinned", "must_read")


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, lower-cased, de-duplicated and sorted: "Hiring" and " hiring" are one tag."""
    return sorted({t.strip().lower() for t in tags if t.strip()})


def check_category(family: str, category: str | None) -> None:
    error = category_error(family, category)
    if error:
        raise InvalidCategory(error)


def check_url(format_: str, url: str | None, kind: str = "item") -> None:
    """A link or a video is nothing without its url."""
    if format_ in ("link", "video") and not url:
        raise MissingUrl(f"a {format_} {kind} needs a url")


def check_not_null(changes: dict[str, Any]) -> None:
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise InvalidValue(f"{name} cannot be null")


def check_window(publish_at: datetime | None, expires_at: datetime | None) -> None:
    """Both ends carry a timezone and the window ends after it starts."""
    for name, value in (("publish_at", publish_at), ("expires_at", expires_at)):
        if value is not None and value.tzinfo is None:
            raise InvalidValue(f"{name} needs a timezone")
    if publish_at and expires_at and expires_at <= publish_at:
        raise InvalidWindow("expires_at must be after publish_at")


def check_publish_at(publish_at: datetime, expires_at: datetime | None) -> None:
    """A publication date asked for on publishing: it must fall inside the window."""
    if publish_at.tzinfo is None:
        raise InvalidValue("publish_at needs a timezone")
    if expires_at and publish_at >= expires_at:
        raise InvalidWindow("publish_at must be before expires_at")


def audience(own: Targeting, campaign: dict[str, Any] | None) -> Targeting:
    """The item's own targeting, normalised; an item targeting everyone in a targeted
    campaign takes the campaign's audience."""
    targeting = normalise(own)
    if campaign and targeting == normalise(Targeting()):
        return normalise(Targeting(**campaign))
    return targeting
