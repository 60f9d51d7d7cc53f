"""Seats and waiting list of an activity (pure)."""

from typing import Literal

Place = Literal["registered", "waitlisted"]


def place_for(seats: int, registered: int) -> Place:
    return "registered" if registered < seats else "waitlisted"


def promotions(seats: int, registered: int, waitlist: list[str]) -> list[str]:
    """Who moves up from the waiting list (in order of arrival) when seats free up."""
    free = max(seats - registered, 0)
    return waitlist[:free]
