"""Unit tests (no PostgreSQL, Kafka or sandbox) of the worker's in-process rules: pacing per
account and app, and which earlier attempt is in doubt."""

from datetime import UTC, datetime, timedelta

from resonance.sharing.service.pacer import APP, Pacer
from resonance.sharing.service.posting import _doubt
from resonance.sharing.service.posting_outcomes import Doubt
from resonance.sharing.store.tables import ShareAttempt

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_spent_window_holds_that_account_only() -> None:
    pacer = Pacer()
    reset = int((NOW + timedelta(minutes=3)).timestamp())
    pacer.note(
        "x", "conn-1", {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}, NOW
    )
    assert pacer.blocked_until("x", "conn-1", NOW) == datetime.fromtimestamp(reset, UTC)
    assert pacer.blocked_until("x", "conn-2", NOW) is None
    assert pacer.blocked_until("mastodon", "conn-1", NOW) is None
    # Once the reset is past, nothing holds.
    assert pacer.blocked_until("x", "conn-1", NOW + timedelta(minutes=4)) is None


def test_an_app_wide_block_holds_every_account() -> None:
    pacer = Pacer()
    pacer.block("x", APP, NOW + timedelta(hours=1))
    pacer.block("x", "conn-1", NOW + timedelta(minutes=5))
    # The later of the two applies.
    assert pacer.blocked_until("x", "conn-1", NOW) == NOW + timedelta(hours=1)
    assert pacer.blocked_until("x", "conn-9", NOW) == NOW + timedelta(hours=1)


def test_remaining_budget_does_not_block() -> None:
    pacer = Pacer()
    reset = int((NOW + timedelta(minutes=3)).timestamp())
    pacer.note("x", "c", {"x-rate-limit-remaining": "5", "x-rate-limit-reset": str(reset)}, NOW)
    assert pacer.blocked_until("x", "c", NOW) is None


def _attempt(number: int, outcome: str | None, minutes: int) -> ShareAttempt:
    return ShareAttempt(
        share_id="s",
        attempt_no=number,
        tenant="t",
        started_at=NOW + timedelta(minutes=minutes),
        outcome=outcome,
    )


def test_the_doubt_reaches_back_over_deferred_lookups() -> None:
    # 1 posted nothing (429), 2 timed out, 3 and 4 only looked for 2's post: the doubt is 2's,
    # from 2's start.
    attempts = [
        _attempt(1, "retry", 0),
        _attempt(2, "unknown", 1),
        _attempt(3, "deferred", 2),
        _attempt(4, "deferred", 3),
    ]
    assert _doubt(attempts) == Doubt(2, NOW + timedelta(minutes=1))
    # A worker killed during lookup 4 leaves it unknown too: the doubt still starts at 2.
    attempts[3] = _attempt(4, "unknown", 3)
    assert _doubt(attempts) == Doubt(4, NOW + timedelta(minutes=1))


def test_no_doubt_after_a_settled_attempt() -> None:
    assert _doubt([]) is None
    assert _doubt([_attempt(1, "unknown", 0), _attempt(2, "retry", 1)]) is None
    assert _doubt([_attempt(1, "deferred", 0)]) is None  # nothing that could have posted
