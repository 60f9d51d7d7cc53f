"""Pacing calls per network, per app and per account within one worker process.

What a network announced (a 429's reset, a success with nothing left in the window) holds
back further calls for that account, or for the whole app, until the reset: the worker
reschedules such shares instead of calling and collecting more 429s. Each process learns on
its own; the networks' 429s remain the last word between processes.
"""

from collections.abc import Mapping
from datetime import datetime

from resonance.sharing.domain.pacing import next_call_at

APP = "app"


class Pacer:
    def __init__(self, max_entries: int = 100_000) -> None:
        self._until: dict[tuple[str, str], datetime] = {}
        self._max = max_entries

    def blocked_until(self, network: str, account: str, now: datetime) -> datetime | None:
        """When calls for this account may go again (None: now)."""
        times = [
            t
            for key in ((network, APP), (network, account))
            if (t := self._until.get(key)) is not None and t > now
        ]
        return max(times) if times else None

    def block(self, network: str, account: str, until: datetime) -> None:
        if len(self._until) >= self._max:
            self._until.clear()  # bounded memory: forgetting only costs a 429
        key = (network, account)
        current = self._until.get(key)
        self._until[key] = until if current is None else max(current, until)

    def note(self, network: str, account: str, headers: Mapping[str, str], now: datetime) -> None:
        """A success's rate-limit headers: nothing left in a window blocks until its reset."""
        if not headers:
            return
        until = next_call_at(network, 200, headers, now=now)
        if until is not None and until > now:
            app_spent = headers.get("x-app-limit-24hour-remaining") == "0"
            self.block(network, APP if app_spent else account, until)
