"""Preferences that make sense together (pure): a channel needs an address to reach."""

from resonance.ambassadors.domain.errors import IncompleteQuietHours, UnreachableChannel


def check_preferences(
    channels: list[str],
    *,
    email: str | None,
    personal_email: str | None,
    phone: str | None,
    quiet_hours_start: str | None,
    quiet_hours_end: str | None,
) -> None:
    """A channel nobody can be reached on is a mistake, not a preference; half a quiet-hours
    window means nothing."""
    chosen = set(channels)
    if "email" in chosen and not (email or personal_email):
        raise UnreachableChannel("email needs a work or personal address", field="channels")
    if "sms" in chosen and not phone:
        raise UnreachableChannel("sms needs a phone number", field="channels")
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        raise IncompleteQuietHours("set both start and end, or neither", field="quiet_hours_start")
