"""The share lifecycle and the reconciliation of attempts left in doubt by a crash."""

from datetime import UTC, datetime, timedelta

from resonance.sharing.domain.networks import profile
from resonance.sharing.domain.share_state import (
    Attempt,
    Cancel,
    ConfirmedByClick,
    Failed,
    FailureReason,
    FoundPost,
    NotPosted,
    RecentPost,
    Refusal,
    Reschedule,
    RetryLater,
    Share,
    ShareStatus,
    StartAttempt,
    StillUnknown,
    Succeeded,
    action_after_reconciliation,
    decide,
    idempotency_key,
    new_scheduled,
    new_self_reported,
    reconcile_attempt,
    resend_is_idempotent,
)

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


def _posting(attempt: str = "at1") -> Share:
    share = decide(new_scheduled(T0), StartAttempt(attempt, T0))
    assert isinstance(share, Share)
    return share


def test_happy_path_scheduled_posting_posted() -> None:
    posting = _posting()
    assert (posting.status, posting.attempts, posting.attempt_id) == (ShareStatus.POSTING, 1, "at1")
    posted = decide(posting, Succeeded("at1", "urn:li:share:1", "https://li/1", T0))
    assert isinstance(posted, Share)
    assert (posted.status, posted.post_id, posted.attempt_id) == (
        ShareStatus.POSTED,
        "urn:li:share:1",
        None,
    )
    # Redelivered success: unchanged, not an error.
    assert decide(posted, Succeeded("at1", "urn:li:share:1", "https://li/1", T0)) == posted


def test_not_due_yet() -> None:
    share = new_scheduled(T0 + timedelta(hours=1))
    refusal = decide(share, StartAttempt("at1", T0))
    assert isinstance(refusal, Refusal) and refusal.code == "not_due"


def test_a_stale_attempt_cannot_finish_the_share() -> None:
    refusal = decide(_posting("at2"), Succeeded("at1", "p", None, T0))
    assert isinstance(refusal, Refusal) and refusal.code == "stale"


def test_retry_goes_back_to_scheduled_until_attempts_run_out() -> None:
    retried = decide(_posting(), RetryLater("at1", T0 + timedelta(seconds=30), "503"))
    assert isinstance(retried, Share)
    assert (retried.status, retried.scheduled_for, retried.attempts) == (
        ShareStatus.SCHEDULED,
        T0 + timedelta(seconds=30),
        1,
    )
    # With max_attempts=1 the first retry is the last straw.
    exhausted = decide(
        _posting(),
        RetryLater("at1", T0, "429", FailureReason.RATE_LIMITED),
        max_attempts=1,
    )
    assert isinstance(exhausted, Share)
    assert (exhausted.status, exhausted.failure) == (ShareStatus.FAILED, FailureReason.RATE_LIMITED)


def test_reauth_required_fails_the_share_with_that_reason() -> None:
    failed = decide(_posting(), Failed(FailureReason.REAUTH_REQUIRED, "at1", "401"))
    assert isinstance(failed, Share)
    assert (failed.status, failed.failure, failed.failure_detail) == (
        ShareStatus.FAILED,
        FailureReason.REAUTH_REQUIRED,
        "401",
    )


def test_failing_before_any_attempt_and_only_then() -> None:
    retired = decide(new_scheduled(T0), Failed(FailureReason.NOT_ELIGIBLE))
    assert isinstance(retired, Share) and retired.failure is FailureReason.NOT_ELIGIBLE
    # Once the network is being called, only that attempt's outcome may end the share.
    refusal = decide(_posting(), Failed(FailureReason.NOT_ELIGIBLE))
    assert isinstance(refusal, Refusal) and refusal.code == "wrong_state"


def test_cancel_rules() -> None:
    cancelled = decide(new_scheduled(T0), Cancel())
    assert isinstance(cancelled, Share) and cancelled.status is ShareStatus.CANCELLED
    assert decide(cancelled, Cancel()) == cancelled
    in_flight = decide(_posting(), Cancel())
    assert isinstance(in_flight, Refusal) and in_flight.code == "in_flight"
    posted = decide(_posting(), Succeeded("at1", "p", None, T0))
    assert isinstance(posted, Share)
    finished = decide(posted, Cancel())
    assert isinstance(finished, Refusal) and finished.code == "finished"


def test_reschedule_only_forward_and_only_when_scheduled() -> None:
    moved = decide(new_scheduled(T0), Reschedule(T0 + timedelta(days=1), T0))
    assert isinstance(moved, Share) and moved.scheduled_for == T0 + timedelta(days=1)
    past = decide(new_scheduled(T0), Reschedule(T0 - timedelta(minutes=1), T0))
    assert isinstance(past, Refusal) and past.code == "in_past"
    busy = decide(_posting(), Reschedule(T0 + timedelta(days=1), T0))
    assert isinstance(busy, Refusal) and busy.code == "wrong_state"


def test_self_reported_share_confirmed_by_a_click() -> None:
    reported = new_self_reported(T0)
    assert reported.status is ShareStatus.SELF_REPORTED and reported.posted_at == T0
    confirmed = decide(reported, ConfirmedByClick())
    assert isinstance(confirmed, Share)
    assert (confirmed.status, confirmed.confirmed_by_click) == (ShareStatus.POSTED, True)
    assert decide(confirmed, ConfirmedByClick()) == confirmed
    withdrawn = decide(new_self_reported(T0), Cancel())
    assert isinstance(withdrawn, Share) and withdrawn.status is ShareStatus.CANCELLED
    nonsense = decide(new_scheduled(T0), ConfirmedByClick())
    assert isinstance(nonsense, Refusal)


# --- reconciliation ------------------------------------------------------------------

LINK = "https://r.example/l/Abc123def456"
ATTEMPT = Attempt("at1", "sh1", T0, f"We're hiring in Lyon #ad\n{LINK}", LINK)


def test_found_by_tracked_link_even_when_the_network_rewrote_the_text() -> None:
    post = RecentPost(
        "1790",
        T0 + timedelta(seconds=2),
        "We're hiring in Lyon #ad https://t.co/xyz",  # X shows t.co in the text
        links=(LINK,),  # ...and the original in entities.urls[].expanded_url
        permalink="https://x.com/i/status/1790",
    )
    result = reconcile_attempt(
        ATTEMPT, [post], now=T0 + timedelta(minutes=5), listing_complete_since=None
    )
    assert result == FoundPost("1790", "https://x.com/i/status/1790")


def test_found_by_same_text_in_html() -> None:
    attempt = Attempt("at1", "sh1", T0, "Bonjour à tous !  On recrute.")
    post = RecentPost("110", T0, "<p>Bonjour à tous ! On recrute.</p>")
    result = reconcile_attempt(
        attempt, [post], now=T0 + timedelta(minutes=5), listing_complete_since=T0
    )
    assert result == FoundPost("110", None)


def test_an_identical_post_from_before_the_attempt_is_not_ours() -> None:
    older = RecentPost("99", T0 - timedelta(days=1), ATTEMPT.post_text, links=(LINK,))
    result = reconcile_attempt(
        ATTEMPT,
        [older],
        now=T0 + timedelta(minutes=5),
        listing_complete_since=T0 - timedelta(days=2),
    )
    assert result == NotPosted()


def test_not_posted_needs_a_complete_listing_and_a_moment_to_settle() -> None:
    unrelated = [RecentPost("5", T0 + timedelta(seconds=10), "something else")]
    complete = T0 - timedelta(hours=1)
    assert (
        reconcile_attempt(
            ATTEMPT, unrelated, now=T0 + timedelta(minutes=2), listing_complete_since=complete
        )
        == NotPosted()
    )
    too_soon = reconcile_attempt(
        ATTEMPT, unrelated, now=T0 + timedelta(seconds=20), listing_complete_since=complete
    )
    assert isinstance(too_soon, StillUnknown) and not too_soon.give_up
    # Looks again once the settle time (60 s after the attempt) has passed.
    assert too_soon.check_again_at == T0 + timedelta(seconds=80)
    # A full page that does not reach back to the attempt proves nothing.
    partial = reconcile_attempt(
        ATTEMPT,
        unrelated,
        now=T0 + timedelta(minutes=2),
        listing_complete_since=T0 + timedelta(seconds=5),
    )
    assert isinstance(partial, StillUnknown)


def test_without_a_listing_give_up_after_a_day_as_unresolved() -> None:
    early = reconcile_attempt(
        ATTEMPT, None, now=T0 + timedelta(hours=1), listing_complete_since=None
    )
    assert isinstance(early, StillUnknown) and not early.give_up
    assert action_after_reconciliation(early, ATTEMPT, now=T0 + timedelta(hours=1)) is None
    late = reconcile_attempt(
        ATTEMPT, None, now=T0 + timedelta(hours=24), listing_complete_since=None
    )
    assert isinstance(late, StillUnknown) and late.give_up
    action = action_after_reconciliation(late, ATTEMPT, now=T0 + timedelta(hours=24))
    failed = decide(_posting("at1"), action) if action is not None else None
    assert isinstance(failed, Share) and failed.failure is FailureReason.UNRESOLVED


def test_reconciliation_feeds_decide() -> None:
    now = T0 + timedelta(minutes=5)
    found = action_after_reconciliation(FoundPost("1790", None), ATTEMPT, now=now)
    assert found is not None
    posted = decide(_posting("at1"), found)
    assert isinstance(posted, Share) and (posted.status, posted.post_id) == (
        ShareStatus.POSTED,
        "1790",
    )
    again = action_after_reconciliation(NotPosted(), ATTEMPT, now=now)
    assert again is not None
    retried = decide(_posting("at1"), again)
    assert isinstance(retried, Share) and retried.status is ShareStatus.SCHEDULED


def test_mastodon_resend_is_safe_within_the_idempotency_key_hour() -> None:
    mastodon, x = profile("mastodon"), profile("x")
    # The key lasts 60 minutes; we stop trusting it 5 minutes before.
    assert resend_is_idempotent(mastodon, ATTEMPT, T0 + timedelta(minutes=54))
    assert not resend_is_idempotent(mastodon, ATTEMPT, T0 + timedelta(minutes=55))
    assert not resend_is_idempotent(x, ATTEMPT, T0 + timedelta(minutes=1))
    assert idempotency_key("sh1") == idempotency_key("sh1") != idempotency_key("sh2")
