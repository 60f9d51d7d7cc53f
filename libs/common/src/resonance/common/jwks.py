"""The identity provider's signing keys (JWKS), cached so that verifying a token never depends
on the provider answering right now.

- Keys live for the provider's `Cache-Control: max-age` (default ten minutes); once expired they
  are still used while one background fetch replaces them.
- A token signed with an unknown key id may trigger a fetch (the provider rotated its keys), but
  at most one per `min_interval_s`, and concurrent callers share it: a flood of made-up `kid`s
  costs one request to the provider, not one per token.
- A failed fetch is remembered and retried with exponential backoff; meanwhile the last good
  keys keep working. Only with no keys at all (a cold start with the provider down) does
  `keys()` raise `KeysUnavailable`, which the API answers with 503.
"""

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import Callable

import httpx
from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

# A JWKS is a few kilobytes; anything much larger is not one.
MAX_JWKS_BYTES = 512 * 1024
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,10})", re.IGNORECASE)


class KeysUnavailable(Exception):
    """No signing keys cached and the provider cannot be reached."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__("the identity provider's signing keys are unavailable")
        self.retry_after_s = retry_after_s


def lifetime_from(cache_control: str | None, default_s: float, floor_s: float) -> float:
    """How long a fetched key set stays fresh: the provider's max-age (no-store/no-cache meaning
    0), else `default_s`; never below `floor_s` (so a provider saying max-age=0 cannot make us
    fetch on every request) nor above a day."""
    if cache_control is None:
        lifetime = default_s
    elif match := _MAX_AGE.search(cache_control):
        lifetime = float(match.group(1))
    elif re.search(r"no-(store|cache)", cache_control, re.IGNORECASE):
        lifetime = 0.0
    else:
        lifetime = default_s
    return min(max(lifetime, floor_s), 86_400.0)


class JwksCache:
    def __init__(
        self,
        url: str,
        *,
        default_lifetime_s: float = 600.0,
        min_interval_s: float = 10.0,
        max_backoff_s: float = 300.0,
        fetch_timeout_s: float = 5.0,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.default_lifetime_s = default_lifetime_s
        self.min_interval_s = min_interval_s
        self.max_backoff_s = max_backoff_s
        self.fetch_timeout_s = fetch_timeout_s
        self._http = http
        self._clock = clock
        self._keys: KeySet | None = None
        self._expires_at = -math.inf
        # No fetch may start before this: the minimum interval after any fetch, the backoff
        # after a failed one.
        self._next_fetch_at = -math.inf
        self._failures = 0
        self._inflight: asyncio.Task[None] | None = None
        self.fetches = 0

    async def keys(self) -> KeySet:
        """The keys to verify with now; waits for the provider only when none are cached."""
        if self._keys is not None:
            if self._clock() >= self._expires_at:
                self._start_fetch()  # stale: serve the last good keys, refresh behind them
            return self._keys
        await self._fetch_if_allowed()
        if self._keys is None:
            raise KeysUnavailable(max(1.0, self._next_fetch_at - self._clock()))
        return self._keys

    async def refreshed(self) -> KeySet:
        """The keys after a refetch for an unknown key id, if one is allowed now; otherwise
        (within the minimum interval, or backing off) the keys already cached."""
        await self._fetch_if_allowed()
        return await self.keys()

    async def _fetch_if_allowed(self) -> None:
        task = self._start_fetch()
        if task is not None:
            # Shielded: a caller that gives up (client disconnect) does not cancel the fetch
            # the other callers are waiting for.
            await asyncio.shield(task)

    def _start_fetch(self) -> asyncio.Task[None] | None:
        if self._inflight is not None:
            return self._inflight
        if self._clock() < self._next_fetch_at:
            return None
        self._inflight = asyncio.create_task(self._fetch())
        return self._inflight

    async def _fetch(self) -> None:
        """Never raises: a failure is recorded as backoff, and waiters look at the cache."""
        started = self._clock()
        self.fetches += 1
        try:
            async with asyncio.timeout(self.fetch_timeout_s):
                response = await self._get()
            response.raise_for_status()
            if len(response.content) > MAX_JWKS_BYTES:
                raise ValueError("JWKS response too large")
            keys = KeySet.import_key_set(response.json())
        except Exception as exc:
            self._failures += 1
            backoff = min(self.min_interval_s * 2 ** (self._failures - 1), self.max_backoff_s)
            self._next_fetch_at = started + backoff
            log.warning(
                "JWKS fetch from %s failed (%s); next attempt in %.0fs%s",
                self.url,
                type(exc).__name__,
                backoff,
                "" if self._keys is None else ", using the last good keys",
            )
        else:
            self._keys = keys
            self._failures = 0
            self._expires_at = started + lifetime_from(
                response.headers.get("cache-control"), self.default_lifetime_s, self.min_interval_s
            )
            self._next_fetch_at = started + self.min_interval_s
        finally:
            self._inflight = None

    async def _get(self) -> httpx.Response:
        if self._http is not None:
            return await self._http.get(self.url)
        async with httpx.AsyncClient(timeout=self.fetch_timeout_s) as client:
            return await client.get(self.url)

    async def close(self) -> None:
        if self._inflight is not None:
            self._inflight.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._inflight
