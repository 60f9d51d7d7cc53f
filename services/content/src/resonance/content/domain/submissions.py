"""Moderation of ambassadors' submissions."""

from resonance.content.domain.errors import AlreadyModerated

PENDING = "pending"


def check_pending(status: str) -> None:
    """A submission is approved or rejected once."""
    if status != PENDING:
        raise AlreadyModerated(f"the submission is already {status}")


def approved_category(chosen: str | None, url: str | None) -> str:
    """The moderator's category, else a shared link or the ambassador's own post."""
    return chosen or ("curated_link" if url else "own_post")
