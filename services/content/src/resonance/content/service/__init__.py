"""Use cases: what the API, the background jobs and the event handlers ask the service to do.

Each function takes a unit of work (one transaction with its outbox, clock and settings),
loads through store/, decides through domain/, writes, emits events and returns entities or
raises domain errors. The few that wait on the network (link previews, feed polling, item
creation with a preview) take the Runtime instead, and open short units of work around the
wait, so that no transaction stays open while a remote page answers.
"""

from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

from resonance.common.unit_of_work import UnitOfWork
from resonance.content.settings import ContentSettings

# The unit of work every content use case runs in.
Uow: TypeAlias = UnitOfWork[ContentSettings]

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list and the cursor of the next (None on the last)."""

    rows: list[T]
    next_cursor: str | None
