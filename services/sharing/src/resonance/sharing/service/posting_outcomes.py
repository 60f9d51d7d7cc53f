"""Closing a posting attempt: the share's next state (decided by domain/share_state.py), the
attempt's outcome and the events, in one transaction.

Attempt outcomes: `posted`, `reconciled` (an earlier attempt's post was found), `retry` (the
network certainly did not post: 429, refresh failure), `unknown` (5xx, timeout, or a worker
stopped mid-call: the next attempt reconciles first), `deferred` (this attempt only looked
for an earlier unknown one's post and could not tell yet: the doubt stays on that one),
`failed`.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from resonance.common.events.catalogue import ShareFailed, ShareMade
from resonance.common.service import Runtime
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.domain.share_state import (
    FAILURE_MESSAGES,
    Action,
    Failed,
    FailureReason,
    Refusal,
    RetryLater,
    ShareStatus,
    Succeeded,
    decide,
)
from resonance.sharing.service.share_rows import apply_state, state_of
from resonance.sharing.service.tokens import Credentials
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import posting as store
from resonance.sharing.store.tables import Share

log = logging.getLogger(__name__)

Rt: TypeAlias = Runtime[SharingSettings]
Uow: TypeAlias = UnitOfWork[SharingSettings]

POSTED = "posted"
RECONCILED = "reconciled"
RETRY = "retry"
UNKNOWN = "unknown"
DEFERRED = "deferred"
FAILED = "failed"
# ShareMade.content_family accepts these only (a projection may hold older values).
_FAMILIES = {"company", "market", "submission", "own"}
# Retries after an unknown outcome are bounded when reconciliation says "not posted" (see
# posting.py), not here: exhausting them here could fail a share that was in fact posted.
_UNBOUNDED = 1 << 30


@dataclass(frozen=True)
class Doubt:
    """An earlier attempt whose outcome is unknown."""

    attempt_no: int
    started_at: datetime


@dataclass(frozen=True)
class Claim:
    """A share a worker holds an attempt of (recorded before any call to the network)."""

    share_id: str
    tenant: str
    ambassador_id: str
    network: str
    connection_id: str | None
    text: str
    tracked_link: str | None
    attempt_no: int
    started_at: datetime
    doubt: Doubt | None = None
    # The account's token when the claim could read it usable as it is (no refresh due).
    credentials: Credentials | None = None


async def _close(
    runtime: Rt,
    claim: Claim,
    outcome: str,
    action: Action,
    *,
    error: str | None = None,
    max_attempts: int | None = None,
) -> str:
    async with runtime.unit_of_work() as uow:
        row = await store.lock_share(uow.session, claim.share_id)
        now = uow.now()
        detail = error[:500] if error else None
        await store.finish_attempt(
            uow.session, claim.share_id, claim.attempt_no, now, outcome, detail
        )
        if row is None:
            return "missing"
        limit = max_attempts or uow.settings.worker_max_attempts
        state = decide(state_of(row), action, max_attempts=limit)
        if isinstance(state, Refusal):
            # Another worker took the share over (it judged this attempt dead): keep its state.
            log.warning("share %s attempt %d not applied: %s", row.id, claim.attempt_no, state)
            return "superseded"
        apply_state(row, state)
        row.updated_at = now
        if state.status is ShareStatus.SCHEDULED:
            row.requested_at = None  # the scheduler hands it out again at `scheduled_for`
        await _announce(uow, row, retryable=isinstance(action, RetryLater))
        return row.status


async def _announce(uow: Uow, row: Share, *, retryable: bool) -> None:
    if row.status == ShareStatus.POSTED.value and row.posted_at is not None:
        family = row.content_family if row.content_family in _FAMILIES else None
        await uow.emit(
            row.tenant,
            ShareMade(
                share_id=row.id,
                ambassador_id=row.ambassador_id,
                content_id=row.content_id,
                content_family=family,
                campaign_id=row.campaign_id,
                network=row.network,
                post_url=row.post_url,
                tracked_link=row.tracked_link,
                shared_at=row.posted_at,
                automatic=row.automatic,
            ),
        )
    elif row.status == ShareStatus.FAILED.value:
        reason = FailureReason(row.reason) if row.reason else FailureReason.REJECTED
        await uow.emit(
            row.tenant,
            ShareFailed(
                share_id=row.id,
                ambassador_id=row.ambassador_id,
                content_id=row.content_id,
                network=row.network,
                error=FAILURE_MESSAGES[reason],
                retryable=retryable or reason is not FailureReason.REJECTED,
                reason=reason.value,
                campaign_id=row.campaign_id,
            ),
        )


async def succeeded(
    runtime: Rt, claim: Claim, post_id: str, url: str | None, *, reconciled: bool = False
) -> str:
    action = Succeeded(str(claim.attempt_no), post_id, url, runtime.clock())
    return await _close(runtime, claim, RECONCILED if reconciled else POSTED, action)


async def failed(runtime: Rt, claim: Claim, reason: FailureReason, detail: str | None) -> str:
    action = Failed(reason, str(claim.attempt_no), detail)
    return await _close(runtime, claim, FAILED, action, error=detail)


async def retry_later(
    runtime: Rt,
    claim: Claim,
    at: datetime,
    detail: str | None,
    *,
    reason: FailureReason,
    kind: str = RETRY,
) -> str:
    """Back to `scheduled` at `at`. `kind` RETRY: nothing was posted (bounded retries);
    UNKNOWN: the network may have made the post (5xx, timeout), the next attempt reconciles
    first; DEFERRED: reconciliation could not tell yet."""
    action = RetryLater(str(claim.attempt_no), at, detail, reason)
    return await _close(
        runtime,
        claim,
        kind,
        action,
        error=detail,
        max_attempts=None if kind == RETRY else _UNBOUNDED,
    )
