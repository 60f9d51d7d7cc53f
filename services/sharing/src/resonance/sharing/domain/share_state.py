"""A share's life, as one pure `decide(share, action)`, and reconciling an attempt in doubt.

    scheduled --StartAttempt--> posting --Succeeded--> posted
        ^                          |---RetryLater----> scheduled (again, later)
        |                          `---Failed-------> failed(reason)
        `--Cancel--> cancelled

    self_reported (a share intent) --ConfirmedByClick--> posted;  --Cancel--> cancelled

No double post, no lost share: the worker records an `Attempt` (with the exact text) and moves
the share to `posting` *before* calling the network. If the worker dies during the call, the
share is found in `posting` with an attempt whose outcome is unknown; `reconcile_attempt`
compares it with the author's recent posts at the network and says posted (with the post id),
not posted (safe to try again) or still unknown (look again later, or give up as unresolved).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from resonance.sharing.domain.networks import NetworkProfile

DEFAULT_MAX_ATTEMPTS = 8
# Mastodon keeps an Idempotency-Key for one hour; stop relying on it a little before.
IDEMPOTENCY_KEY_TTL = timedelta(hours=1)
IDEMPOTENCY_MARGIN = timedelta(minutes=5)


class ShareStatus(StrEnum):
    SCHEDULED = "scheduled"
    POSTING = "posting"
    POSTED = "posted"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SELF_REPORTED = "self_reported"  # shared through a share intent, on the person's word


FINISHED = frozenset({ShareStatus.POSTED, ShareStatus.FAILED, ShareStatus.CANCELLED})


class FailureReason(StrEnum):
    REAUTH_REQUIRED = "reauth_required"  # token expired or revoked: reconnect the account
    REJECTED = "rejected"  # the network refused this post; retrying will not help
    UNAVAILABLE = "unavailable"  # errors and timeouts outlasted the retries
    RATE_LIMITED = "rate_limited"  # the network's quota never freed up in time
    NOT_ELIGIBLE = "not_eligible"  # item retired, ambassador left or consent withdrawn
    UNRESOLVED = "unresolved"  # a crash left an attempt we could not confirm either way


FAILURE_MESSAGES: dict[FailureReason, str] = {
    FailureReason.REAUTH_REQUIRED: "Your account connection has expired. Reconnect it and "
    "share again.",
    FailureReason.REJECTED: "The network refused this post.",
    FailureReason.UNAVAILABLE: "The network did not answer. Please try again later.",
    FailureReason.RATE_LIMITED: "The network's posting limit was reached. Please try again later.",
    FailureReason.NOT_ELIGIBLE: "This content can no longer be shared.",
    FailureReason.UNRESOLVED: "We could not confirm whether this was posted. Check your "
    "profile before sharing again.",
}


@dataclass(frozen=True)
class Share:
    """The state of one share (one item, one ambassador, one network)."""

    status: ShareStatus
    scheduled_for: datetime | None = None
    attempts: int = 0  # attempts started so far
    attempt_id: str | None = None  # the attempt in flight while `posting`
    post_id: str | None = None
    permalink: str | None = None
    posted_at: datetime | None = None
    failure: FailureReason | None = None
    failure_detail: str | None = None  # the network's own words, for support; may be None
    confirmed_by_click: bool = False


def new_scheduled(at: datetime) -> Share:
    """A share to post through the API at `at` (now, or later)."""
    return Share(ShareStatus.SCHEDULED, scheduled_for=at)


def new_self_reported(at: datetime) -> Share:
    """A share made through a share intent: counted on the person's word from `at`."""
    return Share(ShareStatus.SELF_REPORTED, posted_at=at)


# --- actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StartAttempt:
    """The worker is about to call the network (recorded before the call)."""

    attempt_id: str
    now: datetime


@dataclass(frozen=True)
class Succeeded:
    attempt_id: str
    post_id: str | None
    permalink: str | None
    now: datetime


@dataclass(frozen=True)
class RetryLater:
    """The attempt failed in a way worth retrying (5xx, timeout, 429) or did not happen."""

    attempt_id: str
    at: datetime
    detail: str | None = None
    reason_if_exhausted: FailureReason = FailureReason.UNAVAILABLE


@dataclass(frozen=True)
class Failed:
    """Give up: from `posting` (attempt_id given) or before any attempt (attempt_id None)."""

    reason: FailureReason
    attempt_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Reschedule:
    at: datetime
    now: datetime


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class ConfirmedByClick:
    """A tracked click proves a self-reported share is out there."""


Action = StartAttempt | Succeeded | RetryLater | Failed | Reschedule | Cancel | ConfirmedByClick

RefusalCode = Literal["not_due", "in_past", "wrong_state", "in_flight", "finished", "stale"]


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    message: str


def _in_flight(share: Share, attempt_id: str | None) -> Refusal | None:
    if share.status is not ShareStatus.POSTING:
        return Refusal("wrong_state", f"the share is {share.status}, not posting")
    if attempt_id != share.attempt_id:
        return Refusal("stale", "this attempt is not the one in flight")
    return None


def decide(
    share: Share, action: Action, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> Share | Refusal:
    """The share after `action`, or why the action does not apply.

    Repeating an action that already took effect (the same success twice, a second cancel)
    returns the share unchanged, so event redelivery is harmless.
    """
    match action:
        case StartAttempt(attempt_id, now):
            if share.status is ShareStatus.POSTING and share.attempt_id == attempt_id:
                return share
            if share.status is not ShareStatus.SCHEDULED:
                return Refusal("wrong_state", f"the share is {share.status}, not scheduled")
            if share.scheduled_for is not None and now < share.scheduled_for:
                return Refusal("not_due", "the share is not due yet")
            return replace(
                share,
                status=ShareStatus.POSTING,
                attempts=share.attempts + 1,
                attempt_id=attempt_id,
            )
        case Succeeded(attempt_id, post_id, permalink, now):
            if share.status is ShareStatus.POSTED and share.post_id == post_id:
                return share
            if refusal := _in_flight(share, attempt_id):
                return refusal
            return replace(
                share,
                status=ShareStatus.POSTED,
                attempt_id=None,
                post_id=post_id,
                permalink=permalink,
                posted_at=now,
                failure=None,
                failure_detail=None,
            )
        case RetryLater(attempt_id, at, detail, reason_if_exhausted):
            if refusal := _in_flight(share, attempt_id):
                return refusal
            if share.attempts >= max_attempts:
                return replace(
                    share,
                    status=ShareStatus.FAILED,
                    attempt_id=None,
                    failure=reason_if_exhausted,
                    failure_detail=detail,
                )
            return replace(
                share,
                status=ShareStatus.SCHEDULED,
                scheduled_for=at,
                attempt_id=None,
                failure_detail=detail,
            )
        case Failed(reason, attempt_id, detail):
            if share.status is ShareStatus.FAILED and share.failure is reason:
                return share
            if attempt_id is None:
                if share.status is not ShareStatus.SCHEDULED:
                    return Refusal("wrong_state", f"the share is {share.status}, not scheduled")
            elif refusal := _in_flight(share, attempt_id):
                return refusal
            return replace(
                share,
                status=ShareStatus.FAILED,
                attempt_id=None,
                failure=reason,
                failure_detail=detail,
            )
        case Reschedule(at, now):
            if share.status is not ShareStatus.SCHEDULED:
                return Refusal("wrong_state", f"the share is {share.status}, not scheduled")
            if at < now:
                return Refusal("in_past", "a share cannot be scheduled in the past")
            return replace(share, scheduled_for=at)
        case Cancel():
            if share.status is ShareStatus.CANCELLED:
                return share
            if share.status is ShareStatus.POSTING:
                return Refusal("in_flight", "the share is being posted and cannot be cancelled")
            if share.status in FINISHED:
                return Refusal("finished", f"the share is already {share.status}")
            return replace(share, status=ShareStatus.CANCELLED)
        case ConfirmedByClick():
            if share.status is ShareStatus.POSTED and share.confirmed_by_click:
                return share
            if share.status is not ShareStatus.SELF_REPORTED:
                return Refusal("wrong_state", f"the share is {share.status}, not self-reported")
            return replace(share, status=ShareStatus.POSTED, confirmed_by_click=True)
    raise TypeError(f"not a share action: {action!r}")  # pragma: no cover


# --- attempts in doubt ------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What the worker recorded before calling the network."""

    attempt_id: str
    share_id: str
    started_at: datetime
    post_text: str
    tracked_link: str | None = None


def idempotency_key(share_id: str) -> str:
    """One key per share, not per attempt: a resend after a crash then returns the original."""
    return f"resonance-share-{share_id}"


def resend_is_idempotent(network: NetworkProfile, attempt: Attempt, now: datetime) -> bool:
    """True when resending with `idempotency_key` cannot post twice (Mastodon, within 1 h)."""
    if not network.idempotency_keys:
        return False
    return now - attempt.started_at < IDEMPOTENCY_KEY_TTL - IDEMPOTENCY_MARGIN


@dataclass(frozen=True)
class RecentPost:
    """One of the author's recent posts as the network lists it.

    `links`: the link targets in it, expanded (X gives t.co links in the text and the
    originals in `entities.urls[].expanded_url`; Mastodon puts them in HTML `href`s).
    """

    post_id: str
    created_at: datetime
    text: str
    links: tuple[str, ...] = ()
    permalink: str | None = None


@dataclass(frozen=True)
class FoundPost:
    post_id: str
    permalink: str | None


@dataclass(frozen=True)
class NotPosted:
    """The network has no such post: trying again cannot make a duplicate."""


@dataclass(frozen=True)
class StillUnknown:
    """Cannot tell yet. Look again at `check_again_at`, or give up (fail as unresolved)."""

    check_again_at: datetime
    give_up: bool
    reason: str


Reconciliation = FoundPost | NotPosted | StillUnknown

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")


def _comparable(text: str) -> str:
    # Networks rewrite links (t.co), wrap text in HTML (Mastodon) and trim whitespace.
    text = _TAG.sub(" ", unicodedata.normalize("NFC", text))
    text = _URL.sub(" ", text)
    return " ".join(text.split()).casefold()


def reconcile_attempt(
    attempt: Attempt,
    recent: Sequence[RecentPost] | None,
    *,
    now: datetime,
    listing_complete_since: datetime | None,
    settle: timedelta = timedelta(seconds=60),
    clock_skew: timedelta = timedelta(minutes=2),
    recheck_every: timedelta = timedelta(minutes=1),
    give_up_after: timedelta = timedelta(hours=24),
) -> Reconciliation:
    """Did the attempt that was in flight when the worker died make a post?

    `recent`: the author's posts as the network lists them (None where the network gives
    us no way to list them, e.g. LinkedIn without `r_member_social`). A post made by the
    attempt carries our tracked link (unique per share) or, failing that, the same text.
    `listing_complete_since`: the listing holds every post made since then (the page was not
    full, or it reaches back to an older post). "Not posted" needs that to go back before the
    attempt, and `settle` to have passed since it (a post takes a moment to be listed);
    otherwise the answer is "still unknown", until `give_up_after`.
    """
    earliest = attempt.started_at - clock_skew
    if recent is not None:
        wanted = _comparable(attempt.post_text)
        for post in sorted(recent, key=lambda p: p.created_at):
            if post.created_at < earliest:
                continue
            by_link = attempt.tracked_link is not None and (
                attempt.tracked_link in post.links or attempt.tracked_link in post.text
            )
            if by_link or (wanted and _comparable(post.text) == wanted):
                return FoundPost(post.post_id, post.permalink)
        settled = now >= attempt.started_at + settle
        covered = listing_complete_since is not None and listing_complete_since <= earliest
        if settled and covered:
            return NotPosted()
        reason = "the listing does not reach back to the attempt" if settled else "too soon"
    else:
        reason = "the network cannot list the author's posts"
    give_up = now - attempt.started_at >= give_up_after
    next_look = max(now + recheck_every, attempt.started_at + settle)
    return StillUnknown(next_look, give_up, reason)


def action_after_reconciliation(
    result: Reconciliation, attempt: Attempt, *, now: datetime
) -> Action | None:
    """What to tell `decide` once an attempt in doubt is reconciled (None: wait)."""
    match result:
        case FoundPost(post_id, permalink):
            return Succeeded(attempt.attempt_id, post_id, permalink, now)
        case NotPosted():
            return RetryLater(attempt.attempt_id, now, "not posted before the worker stopped")
        case StillUnknown(give_up=True, reason=reason):
            return Failed(FailureReason.UNRESOLVED, attempt.attempt_id, reason)
    return None
