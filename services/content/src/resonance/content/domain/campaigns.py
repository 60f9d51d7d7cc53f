"""Campaign rules: when one may be launched, and when its items go live."""

from datetime import datetime

from resonance.content.domain.errors import AlreadyLaunched, CampaignOver


def check_launchable(status: str, ends_at: datetime | None, now: datetime) -> None:
    if status == "launched":
        raise AlreadyLaunched("this campaign was already launched")
    if ends_at is not None and ends_at <= now:
        raise CampaignOver("the campaign's end is already past")


def launch_publish_at(
    publish_at: datetime | None, starts_at: datetime, now: datetime
) -> datetime | None:
    """When an approved item of a launched campaign goes live: its own date, unless it has
    none or one before the campaign starts; then the campaign's start, or at once (None)
    if the campaign has already started."""
    if publish_at is None or publish_at < starts_at:
        return starts_at if starts_at > now else None
    return publish_at
