"""Pacing calls to the networks: what a response means and when the next call may go.

Each network announces its limits differently:

- X: `x-rate-limit-limit / -remaining / -reset` (reset in Unix seconds) per 15-minute window,
  and `x-user-limit-24hour-*` / `x-app-limit-24hour-*` for the daily caps; no Retry-After.
- Mastodon: `X-RateLimit-Limit / -Remaining / -Reset`, the reset an ISO 8601 time.
- LinkedIn: nothing; a bare 429 means a daily quota is spent until midnight UTC.
- Anyone may send `Retry-After` (seconds or an HTTP date); when present it wins.

Responses fall into success, retry (5xx, timeouts, 429), refresh-then-retry (a first 401
where the network refreshes tokens) and permanent (other 4xx), with a reason a person can read.
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

from resonance.sharing.domain.local_time import next_utc_midnight, require_aware
from resonance.sharing.domain.networks import Network, profile
from resonance.sharing.domain.share_state import FAILURE_MESSAGES, FailureReason

# No network announces a wait longer than a day; anything further is a broken header.
MAX_ANNOUNCED_WAIT = timedelta(hours=26)
DEFAULT_BACKOFF_BASE = timedelta(seconds=1)
DEFAULT_BACKOFF_CAP = timedelta(minutes=15)
MAX_DETAIL_CHARS = 300


@dataclass(frozen=True)
class RateLimitInfo:
    """What one response said about the caller's remaining budget (None: not said)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    retry_after: datetime | None = None
    daily_remaining: int | None = None  # X's 24-hour cap (the user's or the app's, lowest)
    daily_reset_at: datetime | None = None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v.strip() for k, v in headers.items()}


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _clamp(moment: datetime | None, now: datetime) -> datetime | None:
    if moment is None:
        return None
    if moment > now + MAX_ANNOUNCED_WAIT:
        return None
    return max(moment, now)


def _epoch(value: str | None, now: datetime) -> datetime | None:
    seconds = _int(value)
    if seconds is None:
        return None
    try:
        return _clamp(datetime.fromtimestamp(seconds, UTC), now)
    except (OverflowError, OSError, ValueError):
        return None


def _iso_or_epoch(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    if value.isdigit():
        return _epoch(value, now)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _clamp(moment.astimezone(UTC), now)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """`Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`, as a UTC time."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return _clamp(now + timedelta(seconds=int(value)), now)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _clamp(moment.astimezone(UTC), now)


def read_rate_limit(
    network: str | Network, headers: Mapping[str, str], *, now: datetime
) -> RateLimitInfo:
    """The rate-limit headers of one response, in the network's own dialect."""
    require_aware(now)
    h = _lower(headers)
    retry_after = parse_retry_after(h.get("retry-after"), now)
    match profile(network).network:
        case Network.X:
            daily = [
                (
                    _int(h.get(f"x-{who}-limit-24hour-remaining")),
                    _epoch(h.get(f"x-{who}-limit-24hour-reset"), now),
                )
                for who in ("user", "app")
            ]
            known = [(n, reset) for n, reset in daily if n is not None]
            daily_remaining, daily_reset = min(known, key=lambda d: d[0]) if known else (None, None)
            return RateLimitInfo(
                _int(h.get("x-rate-limit-limit")),
                _int(h.get("x-rate-limit-remaining")),
                _epoch(h.get("x-rate-limit-reset"), now),
                retry_after,
                daily_remaining,
                daily_reset,
            )
        case Network.MASTODON:
            return RateLimitInfo(
                _int(h.get("x-ratelimit-limit")),
                _int(h.get("x-ratelimit-remaining")),
                _iso_or_epoch(h.get("x-ratelimit-reset"), now),
                retry_after,
            )
    return RateLimitInfo(retry_after=retry_after)


def next_call_at(
    network: str | Network, status: int | None, headers: Mapping[str, str], *, now: datetime
) -> datetime | None:
    """When the next call for this account may go, by what the response announced.

    `now` when nothing holds it back; a later time when a budget is spent (even on a
    success: a response with `remaining: 0` means the next call would get a 429); None for a
    429 or 503 that says nothing about when (then back off, see `backoff_delay`).
    """
    info = read_rate_limit(network, headers, now=now)
    if info.retry_after is not None and status in (429, 503):
        return info.retry_after
    waits: list[datetime] = []
    if info.remaining == 0 and info.reset_at is not None:
        waits.append(info.reset_at)
    if info.daily_remaining == 0 and info.daily_reset_at is not None:
        waits.append(info.daily_reset_at)
    if waits:
        return max(waits)
    if status == 429:
        if profile(network).network is Network.LINKEDIN:
            return next_utc_midnight(now)  # a bare 429 there is a spent daily quota
        if info.reset_at is not None:
            return info.reset_at
        return None
    if status == 503:
        return None
    return now


def backoff_delay(
    retry_number: int,
    *,
    rng: random.Random,
    base: timedelta = DEFAULT_BACKOFF_BASE,
    cap: timedelta = DEFAULT_BACKOFF_CAP,
) -> timedelta:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base x 2^retry_number)].

    Full jitter (rather than a fixed doubling) keeps a crowd of workers that failed together
    from retrying together. `retry_number` counts from 0 for the first retry.
    """
    ceiling = min(cap.total_seconds(), base.total_seconds() * 2 ** min(max(retry_number, 0), 62))
    return timedelta(seconds=rng.uniform(0, ceiling))


def retry_at(
    now: datetime,
    retry_number: int,
    *,
    rng: random.Random,
    announced: datetime | None = None,
    spread: timedelta = timedelta(seconds=30),
) -> datetime:
    """When to try again: the announced time (spread a little, since every account waiting
    on the same quota would otherwise call at the same second), else after a backoff."""
    if announced is not None and announced > now:
        return announced + timedelta(seconds=rng.uniform(0, spread.total_seconds()))
    return now + backoff_delay(retry_number, rng=rng)


# --- classifying responses ---------------------------------------------------------------


class Verdict(StrEnum):
    SUCCESS = "success"
    RETRY = "retry"
    REFRESH_THEN_RETRY = "refresh_then_retry"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class ResponseClass:
    """What to do with a response. `failure`: the reason to record if we give up (for RETRY:
    once the retries run out). `message`: for the person; `detail`: the network's words."""

    verdict: Verdict
    failure: FailureReason | None = None
    message: str = ""
    detail: str | None = None


def _clean(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    printable = "".join(c if c.isprintable() else " " for c in text[: MAX_DETAIL_CHARS * 2])
    return " ".join(printable.split())[:MAX_DETAIL_CHARS] or None


def error_detail(body: object) -> str | None:
    """The network's own error words: X problem `detail`/`title` (top level or `errors[0]`),
    legacy X `errors[0].message`, LinkedIn `message`, Mastodon `error`; or a text body."""
    if isinstance(body, str):
        return _clean(body)
    if not isinstance(body, Mapping):
        return None
    for key in ("detail", "message", "error", "title"):
        if found := _clean(body.get(key)):
            return found
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return error_detail(errors[0])
    return None


def _permission_missing(network: Network, status: int, body: object) -> bool:
    """LinkedIn's 403 with serviceErrorCode 100: the grant lacks a scope, reconnect."""
    return (
        network is Network.LINKEDIN
        and status == 403
        and isinstance(body, Mapping)
        and body.get("serviceErrorCode") == 100
    )


def classify_response(
    network: str | Network,
    status: int | None,
    body: object = None,
    *,
    already_refreshed: bool = False,
) -> ResponseClass:
    """Success, retry, refresh-then-retry or permanent, for a post or metrics call.

    `status` None stands for a timeout or a broken connection (retry: the reconciliation
    step decides whether a timed-out post went through). `already_refreshed`: this 401 came
    right after a refresh, so refreshing again will not help.
    """
    p = profile(network)
    detail = error_detail(body)
    if status is not None and 200 <= status < 300:
        return ResponseClass(Verdict.SUCCESS)
    if status is None or status in (408, 425) or status >= 500:
        reason = FailureReason.UNAVAILABLE
        return ResponseClass(Verdict.RETRY, reason, FAILURE_MESSAGES[reason], detail)
    if status == 429:
        reason = FailureReason.RATE_LIMITED
        return ResponseClass(Verdict.RETRY, reason, FAILURE_MESSAGES[reason], detail)
    reauth = FailureReason.REAUTH_REQUIRED
    if status == 401:
        if p.refreshes_tokens and not already_refreshed:
            return ResponseClass(
                Verdict.REFRESH_THEN_RETRY, reauth, FAILURE_MESSAGES[reauth], detail
            )
        return ResponseClass(Verdict.PERMANENT, reauth, FAILURE_MESSAGES[reauth], detail)
    if _permission_missing(p.network, status, body):
        return ResponseClass(Verdict.PERMANENT, reauth, FAILURE_MESSAGES[reauth], detail)
    rejected = FailureReason.REJECTED
    message = FAILURE_MESSAGES[rejected]
    if detail:
        message = f"{message[:-1]}: {detail}"
    return ResponseClass(Verdict.PERMANENT, rejected, message, detail)
