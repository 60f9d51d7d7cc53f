"""Feed sources: who may let one publish on its own, how entries are keyed, when a source
is polled again (a failing one backs off)."""

import hashlib
from datetime import datetime, timedelta

from resonance.common.domain_errors import Forbidden
from resonance.content.domain.workflow import APPROVER_ROLES


def check_auto_approve(auto_approve: bool, roles: frozenset[str]) -> None:
    """Auto-approval skips the review: only those who may approve can turn it on."""
    if auto_approve and not roles & APPROVER_ROLES:
        raise Forbidden("only a programme manager may auto-approve a source")


# An entry's GUID is the key of the "already seen" index: one longer than this is kept as its
# SHA-256, so no feed can break the index (a B-tree row holds about 2.7 kB) or collide.
MAX_GUID_CHARS = 500
# Links longer than this are not links anyone shares: the entry keeps no link.
MAX_LINK_CHARS = 2048


def entry_key(guid: str) -> str:
    """The GUID as stored: itself when short, else `sha256:<hex>` of it (64 + 7 characters)."""
    if len(guid) <= MAX_GUID_CHARS:
        return guid
    return "sha256:" + hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()


def usable_link(link: str | None) -> str | None:
    """The entry's link when it is a plausible one (not empty, not absurdly long)."""
    if not link or len(link) > MAX_LINK_CHARS:
        return None
    return link


def next_attempt(now: datetime, poll_interval_s: int, failures: int, max_s: float) -> datetime:
    """When a source is polled next: after its interval when the last poll worked; while it
    keeps failing, after 2^failures intervals (2, 4, 8... times), at most `max_s` (or the
    interval itself when that is longer)."""
    delay = poll_interval_s * 2 ** min(max(failures, 0), 32)
    if failures > 0:
        delay = min(delay, max(max_s, poll_interval_s))
    return now + timedelta(seconds=delay)
