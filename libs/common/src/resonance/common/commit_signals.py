"""Signals set when a transaction commits: a task of the same process that waits for what the
transaction wrote (the outbox relay, a fold of queued events) starts at once instead of at
its next poll. Set only on commit; a rollback forgets them."""

import asyncio

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_KEY = "resonance.commit_signals"


def signal_on_commit(session: AsyncSession, signal: asyncio.Event) -> None:
    """Sets `signal` when the session's current transaction commits."""
    session.sync_session.info.setdefault(_KEY, set()).add(signal)


@event.listens_for(Session, "after_commit")
def _set_signals(session: Session) -> None:
    for signal in session.info.pop(_KEY, ()):
        signal.set()


@event.listens_for(Session, "after_rollback")
def _forget_signals(session: Session) -> None:
    session.info.pop(_KEY, None)
