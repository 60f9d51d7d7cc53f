"""Posting one share: claim an attempt, reconcile a doubtful earlier one, post, close.

No double post, no lost share:
- the attempt is recorded (and committed) BEFORE the network is called;
- an attempt whose outcome is unknown (5xx, timeout, or a worker killed mid-call: found still
  open after `worker_in_doubt_after_s`) is reconciled with the author's recent posts at the
  network before anything is posted again (domain/share_state.reconcile_attempt);
- Mastodon gets an Idempotency-Key per share, so a resend returns the original status;
  LinkedIn names the original when it refuses a duplicate, which reconciles too.
No transaction stays open while a network answers (except an X token refresh, tokens.py).
"""

import logging
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession

from resonance.common.service import Runtime
from resonance.sharing.connectors.base import (
    Connector,
    DuplicatePost,
    NetworkError,
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
)
from resonance.sharing.domain.networks import profile
from resonance.sharing.domain.pacing import backoff_delay, retry_at
from resonance.sharing.domain.share_state import (
    Attempt,
    FailureReason,
    FoundPost,
    NotPosted,
    Reconciliation,
    Refusal,
    StartAttempt,
    StillUnknown,
    decide,
    idempotency_key,
    reconcile_attempt,
    resend_is_idempotent,
)
from resonance.sharing.service import posting_outcomes as outcome
from resonance.sharing.service.networks import Networks
from resonance.sharing.service.pacer import APP, Pacer
from resonance.sharing.service.posting_outcomes import Claim, Doubt
from resonance.sharing.service.share_rows import apply_state, state_of
from resonance.sharing.service.tokens import (
    Credentials,
    ReauthRequired,
    credentials,
    report_unauthorized,
    usable_credentials,
)
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import posting as store
from resonance.sharing.store.tables import POSTING, SCHEDULED, Share, ShareAttempt

log = logging.getLogger(__name__)

Rt: TypeAlias = Runtime[SharingSettings]
# A request may come a moment before the share's time (clocks of two processes).
EARLY_TOLERANCE = timedelta(seconds=1)
_rng = random.SystemRandom()


def _reset_spread(settings: SharingSettings) -> timedelta:
    """How far past an announced reset a held-back share is spread (accounts waiting on one
    quota would otherwise all call in the same second): 30 s, or less where the backoff is
    capped lower."""
    return timedelta(seconds=min(30.0, settings.worker_backoff_max_s))


def _backoff(settings: SharingSettings, attempt_no: int, now: datetime) -> datetime:
    return now + backoff_delay(
        attempt_no - 1,
        rng=_rng,
        base=timedelta(seconds=settings.worker_backoff_base_s),
        cap=timedelta(seconds=settings.worker_backoff_max_s),
    )


async def post_share(runtime: Rt, networks: Networks, pacer: Pacer, share_id: str) -> str:
    """Handles one share.requested; returns what happened (for logs and tests)."""
    claim = await _claim(runtime, networks, pacer, share_id)
    if isinstance(claim, str):
        return claim
    connector = networks.connectors.get(claim.network)
    if connector is None or claim.connection_id is None:
        return await outcome.failed(
            runtime, claim, FailureReason.REAUTH_REQUIRED, "no connected account to post with"
        )
    creds = claim.credentials
    try:
        if creds is None:
            creds = await credentials(runtime, networks, claim.connection_id)
    except ReauthRequired as exc:
        return await outcome.failed(runtime, claim, FailureReason.REAUTH_REQUIRED, exc.reason)
    except NetworkError as exc:  # the token endpoint failed: nothing was posted
        at = _backoff(runtime.settings, claim.attempt_no, runtime.clock())
        return await outcome.retry_later(
            runtime, claim, at, exc.detail, reason=FailureReason.UNAVAILABLE
        )
    if claim.doubt is not None:
        verdict = await _reconcile(runtime, connector, creds, claim, claim.doubt)
        if isinstance(verdict, FoundPost):
            return await outcome.succeeded(
                runtime, claim, verdict.post_id, verdict.permalink, reconciled=True
            )
        if isinstance(verdict, StillUnknown):
            if verdict.give_up:
                return await outcome.failed(
                    runtime, claim, FailureReason.UNRESOLVED, verdict.reason
                )
            return await outcome.retry_later(
                runtime,
                claim,
                verdict.check_again_at,
                verdict.reason,
                reason=FailureReason.UNRESOLVED,
                kind=outcome.DEFERRED,
            )
        if claim.attempt_no > runtime.settings.worker_max_attempts:
            return await outcome.failed(
                runtime, claim, FailureReason.UNAVAILABLE, "the network kept failing"
            )
    return await _post(runtime, networks, pacer, connector, creds, claim)


async def _claim(runtime: Rt, networks: Networks, pacer: Pacer, share_id: str) -> Claim | str:
    """Records the next attempt of a due share, or says why not (committed before any call)."""
    async with runtime.unit_of_work() as uow:
        s = uow.settings
        row = await store.lock_share(uow.session, share_id)
        if row is None:
            return "missing"
        now = uow.now()
        doubt: Doubt | None = None
        if row.status == POSTING:
            current = await store.attempt(uow.session, row.id, row.attempts)
            if current is not None and current.finished_at is None:
                if current.started_at > now - timedelta(seconds=s.worker_in_doubt_after_s):
                    return "in_flight"  # a live worker holds it
                current.finished_at = now
                current.outcome = outcome.UNKNOWN
                current.error = "the worker stopped during the call"
                doubt = _doubt(await store.attempts(uow.session, row.id))
            # The attempt in flight is closed as unknown: the share is due again, now.
            row.status = SCHEDULED
            row.scheduled_for = min(row.scheduled_for, now)
        elif row.status != SCHEDULED:
            return "finished"
        elif row.scheduled_for > now + EARLY_TOLERANCE:
            row.requested_at = None  # early: the scheduler hands it out at its time
            return "not_due"
        elif row.attempts:
            doubt = _doubt(await store.attempts(uow.session, row.id))
        if row.connection_id is not None:
            blocked = pacer.blocked_until(row.network, row.connection_id, now)
            if blocked is not None:
                row.scheduled_for = retry_at(
                    now, 0, rng=_rng, announced=blocked, spread=_reset_spread(s)
                )
                row.requested_at = None
                row.updated_at = now
                return "paced"
        claim = _start_attempt(uow.session, row, now, doubt, networks)
        if (
            isinstance(claim, Claim)
            and claim.connection_id is not None
            and claim.network in networks.connectors
        ):
            # Read with the claim: one transaction fewer per share than reading it after.
            usable = await usable_credentials(uow, networks, claim.connection_id)
            claim = replace(claim, credentials=usable)
        return claim


def _doubt(attempts: Sequence[ShareAttempt]) -> Doubt | None:
    """The trailing run of attempts that may have posted (unknown) or only looked for such a
    post (deferred), as one doubt reaching back to the earliest of them; None when the last
    attempt settled things (posted, retry without post, ...)."""
    chain = []
    for attempt in reversed(attempts):
        if attempt.outcome not in (outcome.UNKNOWN, outcome.DEFERRED):
            break
        chain.append(attempt)
    unknown = [a for a in chain if a.outcome == outcome.UNKNOWN]
    if not unknown:
        return None
    return Doubt(unknown[0].attempt_no, min(a.started_at for a in chain))


def _start_attempt(
    session: AsyncSession, row: Share, now: datetime, doubt: Doubt | None, networks: Networks
) -> Claim | str:
    number = row.attempts + 1
    state = decide(state_of(row), StartAttempt(str(number), now))
    if isinstance(state, Refusal):
        return state.code
    apply_state(row, state)
    row.requested_at = now
    row.updated_at = now
    connector = networks.connectors.get(row.network)
    key = idempotency_key(row.id) if connector is not None and connector.idempotent_posts else None
    session.add(
        ShareAttempt(
            share_id=row.id,
            attempt_no=number,
            tenant=row.tenant,
            started_at=now,
            idempotency_key=key,
        )
    )
    return Claim(
        share_id=row.id,
        tenant=row.tenant,
        ambassador_id=row.ambassador_id,
        network=row.network,
        connection_id=row.connection_id,
        text=row.text,
        tracked_link=row.tracked_link,
        attempt_no=number,
        started_at=now,
        doubt=doubt,
    )


async def _reconcile(
    runtime: Rt, connector: Connector, creds: Credentials, claim: Claim, doubt: Doubt
) -> Reconciliation:
    """Did the doubtful attempt post? FoundPost, NotPosted (safe to post) or StillUnknown."""
    s = runtime.settings
    now = runtime.clock()
    attempt = Attempt(
        str(doubt.attempt_no), claim.share_id, doubt.started_at, claim.text, claim.tracked_link
    )
    skew = timedelta(seconds=s.reconcile_clock_skew_s)
    # A resend carrying the share's Idempotency-Key returns the original (Mastodon, 1 hour).
    idempotent = connector.idempotent_posts and resend_is_idempotent(
        profile(connector.network), attempt, now
    )
    try:
        listing = await connector.recent_posts(
            creds.access_token, creds.network_user_id, doubt.started_at - skew
        )
    except NetworkError as exc:
        if idempotent:
            return NotPosted()
        return StillUnknown(_backoff(s, claim.attempt_no, now), False, exc.detail)
    if listing is None and connector.names_duplicates:
        # LinkedIn without r_member_social: a repost of the same text is refused with the
        # original's URN (DuplicatePost), which reconciles as well as a listing would.
        return NotPosted()
    result = reconcile_attempt(
        attempt,
        listing.posts if listing is not None else None,
        now=now,
        listing_complete_since=listing.complete_since if listing is not None else None,
        settle=timedelta(seconds=s.reconcile_settle_s),
        clock_skew=skew,
        recheck_every=timedelta(seconds=max(s.worker_backoff_base_s, 0.05)),
        give_up_after=timedelta(seconds=s.reconcile_give_up_s),
    )
    if isinstance(result, StillUnknown) and idempotent:
        return NotPosted()
    return result


async def _post(
    runtime: Rt,
    networks: Networks,
    pacer: Pacer,
    connector: Connector,
    creds: Credentials,
    claim: Claim,
) -> str:
    key = idempotency_key(claim.share_id) if connector.idempotent_posts else None
    refreshed = False
    while True:
        try:
            published = await connector.create_post(
                creds.access_token, creds.network_user_id, claim.text, key
            )
        except Unauthorized:
            # A 401 means nothing was posted: refresh once where the network allows it.
            if connector.refreshes_tokens and not refreshed and claim.connection_id:
                refreshed = True
                try:
                    creds = await credentials(
                        runtime, networks, claim.connection_id, refused_token=creds.access_token
                    )
                except ReauthRequired as exc:
                    return await outcome.failed(
                        runtime, claim, FailureReason.REAUTH_REQUIRED, exc.reason
                    )
                except NetworkError as exc:
                    at = _backoff(runtime.settings, claim.attempt_no, runtime.clock())
                    return await outcome.retry_later(
                        runtime,
                        claim,
                        at,
                        exc.detail,
                        reason=FailureReason.UNAVAILABLE,
                    )
                continue
            if claim.connection_id:
                await report_unauthorized(runtime, claim.connection_id)
            return await outcome.failed(
                runtime, claim, FailureReason.REAUTH_REQUIRED, "the network refused the token"
            )
        except RateLimited as exc:
            return await _rate_limited(runtime, pacer, claim, exc)
        except DuplicatePost as exc:
            if exc.existing_post_id:
                return await outcome.succeeded(
                    runtime, claim, exc.existing_post_id, None, reconciled=True
                )
            # The same text (with this share's own tracked link) is already there: most
            # likely ours from an earlier attempt. Reconcile before deciding.
            at = runtime.clock() + timedelta(seconds=runtime.settings.reconcile_settle_s)
            return await outcome.retry_later(
                runtime,
                claim,
                at,
                exc.detail,
                reason=FailureReason.UNRESOLVED,
                kind=outcome.UNKNOWN,
            )
        except Unavailable as exc:
            at = _backoff(runtime.settings, claim.attempt_no, runtime.clock())
            return await outcome.retry_later(
                runtime,
                claim,
                at,
                exc.detail,
                reason=FailureReason.UNAVAILABLE,
                kind=outcome.UNKNOWN,
            )
        except (Rejected, NetworkError) as exc:
            return await outcome.failed(runtime, claim, FailureReason.REJECTED, exc.detail)
        account = claim.connection_id or APP
        pacer.note(connector.network, account, published.rate_headers, runtime.clock())
        return await outcome.succeeded(runtime, claim, published.post_id, published.url)


async def _rate_limited(runtime: Rt, pacer: Pacer, claim: Claim, exc: RateLimited) -> str:
    """A 429 posted nothing: hold this account (or the whole app) until the announced reset
    and retry then (with jitter), else after a backoff."""
    now = runtime.clock()
    if exc.retry_at is not None and exc.retry_at > now:
        holder = APP if exc.scope == "app" else (claim.connection_id or APP)
        pacer.block(claim.network, holder, exc.retry_at)
        at = retry_at(
            now,
            claim.attempt_no - 1,
            rng=_rng,
            announced=exc.retry_at,
            spread=_reset_spread(runtime.settings),
        )
    else:
        at = _backoff(runtime.settings, claim.attempt_no, now)
    return await outcome.retry_later(
        runtime, claim, at, exc.detail, reason=FailureReason.RATE_LIMITED
    )
