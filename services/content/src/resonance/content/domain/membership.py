"""The projected ambassador: what leaving means (targeting by programme), and which events
may still change the projection (versions, erasure tombstones)."""

import hashlib
from datetime import datetime


def after_leaving(
    programmes: list[str], programme_id: str | None, reason: str
) -> tuple[list[str], bool]:
    """The programmes the person still belongs to, and whether they are still active.

    Leaving one programme keeps the others (active while any remains); leaving the company
    ("leaver") or leaving without naming a programme ends everything."""
    if programme_id is not None and reason != "leaver":
        remaining = [p for p in programmes if p != programme_id]
        return remaining, bool(remaining)
    return programmes, False


def erasure_key(ambassador_id: str) -> str:
    """What an erasure tombstone keeps of the person: a digest of their id, not the id."""
    return hashlib.sha256(ambassador_id.encode("utf-8", "surrogatepass")).hexdigest()


def event_applies(at: datetime, last_applied: datetime | None, erased_at: datetime | None) -> bool:
    """Whether an ambassador event written at `at` may change the projection: never when it
    is older than what the projection already holds (a replay, a late delivery), nor when it
    dates from before the person's erasure (it would bring them back). An event written
    after the erasure (the person joined again, with new consent) applies."""
    if erased_at is not None and at <= erased_at:
        return False
    return last_applied is None or at >= last_applied
