"""Reading each network's rate-limit headers, backoff with jitter, classifying responses."""

import random
from datetime import UTC, datetime, timedelta

from resonance.sharing.domain.pacing import (
    Verdict,
    backoff_delay,
    classify_response,
    error_detail,
    next_call_at,
    parse_retry_after,
    read_rate_limit,
    retry_at,
)
from resonance.sharing.domain.share_state import FailureReason

NOW = datetime(2025, 5, 1, 17, 30, tzinfo=UTC)
EPOCH_NOW = int(NOW.timestamp())  # 1746120600


class Highest(random.Random):
    """Always the top of the range, to see the ceiling of the backoff."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Lowest(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return a


def test_x_window_spent_waits_for_reset_even_after_a_success() -> None:
    headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(EPOCH_NOW + 600),
    }
    info = read_rate_limit("x", headers, now=NOW)
    assert (info.limit, info.remaining, info.reset_at) == (100, 0, NOW + timedelta(seconds=600))
    assert next_call_at("x", 201, headers, now=NOW) == NOW + timedelta(seconds=600)
    headers["x-rate-limit-remaining"] = "5"
    assert next_call_at("x", 201, headers, now=NOW) == NOW


def test_x_429_waits_for_the_window_reset() -> None:
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(EPOCH_NOW + 120)}
    assert next_call_at("x", 429, headers, now=NOW) == NOW + timedelta(seconds=120)


def test_x_daily_cap_outweighs_the_15_minute_window() -> None:
    headers = {
        "x-rate-limit-remaining": "50",
        "x-rate-limit-reset": str(EPOCH_NOW + 300),
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(EPOCH_NOW + 5 * 3600),
        "x-app-limit-24hour-remaining": "1200",
        "x-app-limit-24hour-reset": str(EPOCH_NOW + 3600),
    }
    info = read_rate_limit("x", headers, now=NOW)
    assert (info.daily_remaining, info.daily_reset_at) == (0, NOW + timedelta(hours=5))
    assert next_call_at("x", 429, headers, now=NOW) == NOW + timedelta(hours=5)


def test_mastodon_reset_is_an_iso_time_and_header_names_any_case() -> None:
    headers = {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2025-05-01T17:35:00.123Z",
    }
    expected = datetime(2025, 5, 1, 17, 35, 0, 123000, tzinfo=UTC)
    assert read_rate_limit("mastodon", headers, now=NOW).reset_at == expected
    assert next_call_at("mastodon", 429, headers, now=NOW) == expected


def test_linkedin_bare_429_is_a_daily_quota_until_midnight_utc() -> None:
    assert next_call_at("linkedin", 429, {}, now=NOW) == datetime(2025, 5, 2, tzinfo=UTC)
    assert next_call_at("linkedin", 201, {}, now=NOW) == NOW


def test_retry_after_wins_in_seconds_or_as_a_date() -> None:
    assert next_call_at("linkedin", 429, {"Retry-After": "120"}, now=NOW) == NOW + timedelta(
        minutes=2
    )
    dated = {"Retry-After": "Thu, 01 May 2025 18:00:00 GMT"}
    assert next_call_at("mastodon", 503, dated, now=NOW) == datetime(2025, 5, 1, 18, tzinfo=UTC)
    assert parse_retry_after("soon", NOW) is None


def test_unusable_headers_are_ignored() -> None:
    # Garbage, then a reset in the past (clamped to now), then one 3 days ahead (ignored).
    assert next_call_at("x", 429, {"x-rate-limit-reset": "soon"}, now=NOW) is None
    past = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(EPOCH_NOW - 60)}
    assert next_call_at("x", 200, past, now=NOW) == NOW
    far = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(EPOCH_NOW + 3 * 86400)}
    assert next_call_at("x", 429, far, now=NOW) is None
    assert next_call_at("mastodon", 503, {}, now=NOW) is None


def test_full_jitter_backoff_ceiling_doubles_up_to_the_cap() -> None:
    ceilings = [backoff_delay(n, rng=Highest()).total_seconds() for n in range(12)]
    # 1 s doubling: 1, 2, 4, ... 512, then the 15-minute cap (900 s).
    assert ceilings == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert backoff_delay(10_000, rng=Highest()) == timedelta(minutes=15)  # no overflow
    assert backoff_delay(5, rng=Lowest()) == timedelta(0)
    rng = random.Random(7)
    delays = [backoff_delay(4, rng=rng).total_seconds() for _ in range(200)]
    assert all(0 <= d <= 16 for d in delays) and len(set(delays)) > 150  # spread, not fixed


def test_retry_at_prefers_the_announced_time_spread_a_little() -> None:
    announced = NOW + timedelta(minutes=10)
    assert retry_at(NOW, 0, rng=Highest(), announced=announced) == announced + timedelta(seconds=30)
    assert retry_at(NOW, 0, rng=Lowest(), announced=announced) == announced
    assert retry_at(NOW, 3, rng=Highest()) == NOW + timedelta(seconds=8)


def test_classification() -> None:
    assert classify_response("x", 201).verdict is Verdict.SUCCESS
    timeout = classify_response("linkedin", None)
    assert (timeout.verdict, timeout.failure) == (Verdict.RETRY, FailureReason.UNAVAILABLE)
    assert classify_response("mastodon", 502).verdict is Verdict.RETRY
    limited = classify_response("x", 429, {"title": "Too Many Requests"})
    assert (limited.verdict, limited.failure) == (Verdict.RETRY, FailureReason.RATE_LIMITED)


def test_401_refreshes_once_where_tokens_refresh() -> None:
    first = classify_response("x", 401, {"title": "Unauthorized"})
    assert first.verdict is Verdict.REFRESH_THEN_RETRY
    second = classify_response("x", 401, already_refreshed=True)
    assert (second.verdict, second.failure) == (Verdict.PERMANENT, FailureReason.REAUTH_REQUIRED)
    # LinkedIn (self-serve apps) and Mastodon have no refresh tokens: reconnect at once.
    for network in ("linkedin", "mastodon"):
        verdict = classify_response(network, 401)
        assert (verdict.verdict, verdict.failure) == (
            Verdict.PERMANENT,
            FailureReason.REAUTH_REQUIRED,
        )
        assert "Reconnect" in verdict.message


def test_linkedin_missing_permission_means_reconnect() -> None:
    body = {"message": "Not enough permissions", "serviceErrorCode": 100, "status": 403}
    assert classify_response("linkedin", 403, body).failure is FailureReason.REAUTH_REQUIRED


def test_other_4xx_are_permanent_with_the_networks_words() -> None:
    rejected = classify_response(
        "mastodon", 422, {"error": "Validation failed: Text can't be blank"}
    )
    assert (rejected.verdict, rejected.failure) == (Verdict.PERMANENT, FailureReason.REJECTED)
    assert (
        rejected.message == "The network refused this post: Validation failed: Text can't be blank"
    )
    duplicate = classify_response(
        "x", 403, {"detail": "You are not allowed to create a Tweet with duplicate content."}
    )
    assert duplicate.detail == "You are not allowed to create a Tweet with duplicate content."
    bare = classify_response("x", 400)
    assert bare.message == "The network refused this post." and bare.detail is None


def test_error_detail_shapes() -> None:
    assert error_detail({"errors": [{"code": 187, "message": "Status is a duplicate."}]}) == (
        "Status is a duplicate."
    )
    assert error_detail({"title": "Unauthorized", "type": "about:blank"}) == "Unauthorized"
    assert error_detail("  upstream\n\tfailure\x00 ") == "upstream failure"
    assert error_detail({"message": "x" * 1000}) == "x" * 300
    assert error_detail([1, 2]) is None
