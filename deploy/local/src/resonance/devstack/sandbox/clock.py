"""The sandbox clock: real time plus an offset tests can move forward, optionally frozen.

Token expiry, rate-limit windows, idempotency keys and analytics all read this clock, so
advancing it by two hours expires an X access token without waiting two hours.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SandboxClock:
    def __init__(self, start: float | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._real_base = time.time()
        self._value_base = self._real_base if start is None else start
        self._frozen = frozen

    def now(self) -> float:
        """Seconds since the Unix epoch, in sandbox time."""
        with self._lock:
            return self._now()

    def _now(self) -> float:
        if self._frozen:
            return self._value_base
        return self._value_base + (time.time() - self._real_base)

    @property
    def frozen(self) -> bool:
        return self._frozen

    def advance(self, seconds: float) -> float:
        """Moves forward only: going back would reopen spent rate-limit windows and reorder ids."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._value_base += seconds
            return self._now()

    def reset(self, start: float | None = None, *, frozen: bool = False) -> None:
        """Back to real time (or to `start`): only a full sandbox reset may move time back."""
        with self._lock:
            self._real_base = time.time()
            self._value_base = self._real_base if start is None else start
            self._frozen = frozen

    def set_frozen(self, frozen: bool) -> float:
        with self._lock:
            current = self._now()
            self._value_base = current
            self._real_base = time.time()
            self._frozen = frozen
            return current


def iso(epoch: float) -> str:
    """RFC 3339 with milliseconds and a Z, as X and Mastodon render `created_at`."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_instant(value: str | float) -> float:
    """An epoch number or an ISO-8601 string (a trailing Z allowed) to epoch seconds."""
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
