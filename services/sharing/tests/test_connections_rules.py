"""Unit tests (no PostgreSQL, Kafka or sandbox): connection rules and how the connectors read
the networks' answers."""

from datetime import UTC, datetime, timedelta

import httpx

from resonance.sharing.connectors import http as net_http
from resonance.sharing.connectors.base import RateLimited, Rejected, Unauthorized, Unavailable
from resonance.sharing.connectors.mastodon import plain_text
from resonance.sharing.connectors.oauth import tokens_from
from resonance.sharing.connectors.x import _expanded_links, _stats
from resonance.sharing.service.connection_rules import (
    expiry_warnings_due,
    is_expired,
    needs_refresh,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_refresh_ahead_only_when_little_is_left() -> None:
    ten_minutes = timedelta(minutes=10)
    assert needs_refresh(NOW + timedelta(minutes=9), NOW, ten_minutes)
    assert needs_refresh(NOW + ten_minutes, NOW, ten_minutes)  # exactly at the margin
    assert not needs_refresh(NOW + timedelta(minutes=11), NOW, ten_minutes)
    assert not needs_refresh(None, NOW, ten_minutes)  # Mastodon: never expires
    assert is_expired(NOW, NOW) and not is_expired(NOW + timedelta(seconds=1), NOW)


def test_expiry_warnings_once_per_threshold() -> None:
    thresholds = [7, 1]
    # 10 days left: nothing; 5 days: the 7-day one; 5 days again with 7 announced: nothing.
    assert expiry_warnings_due(NOW + timedelta(days=10), NOW, thresholds, []) == []
    assert expiry_warnings_due(NOW + timedelta(days=5), NOW, thresholds, []) == [7]
    assert expiry_warnings_due(NOW + timedelta(days=5), NOW, thresholds, [7]) == []
    # Half a day left, first look: both crossed, announced together (largest first).
    assert expiry_warnings_due(NOW + timedelta(hours=12), NOW, thresholds, []) == [7, 1]
    assert expiry_warnings_due(NOW + timedelta(hours=12), NOW, thresholds, [7]) == [1]


def _response(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers or {})


def test_errors_are_classified_with_the_networks_own_words() -> None:
    assert isinstance(
        net_http.classify("x", _response(401, {"title": "Unauthorized"})), Unauthorized
    )
    rejected = net_http.classify(
        "mastodon", _response(422, {"error": "Validation failed: Text can't be blank"})
    )
    assert isinstance(rejected, Rejected) and rejected.detail.endswith("can't be blank")
    unavailable = net_http.classify("linkedin", _response(503, {"message": "busy", "status": 503}))
    assert isinstance(unavailable, Unavailable) and unavailable.retryable


def test_an_x_429_waits_for_the_latest_spent_window() -> None:
    now = int(datetime.now(UTC).timestamp())
    headers = {
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(now + 60),
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": str(now + 3600),
        "authorization": "never kept",
    }
    error = net_http.classify("x", _response(429, {"title": "Too Many Requests"}, headers))
    assert isinstance(error, RateLimited)
    # Both windows are spent: only the later reset (one hour) frees a post.
    assert error.retry_at == datetime.fromtimestamp(now + 3600, UTC)
    assert error.scope == "account"
    assert "authorization" not in error.headers


def test_a_bare_linkedin_429_waits_for_midnight_utc() -> None:
    body = {"status": 429, "message": "Resource level throttle APPLICATION DAY limit reached."}
    error = net_http.classify("linkedin", _response(429, body))
    assert isinstance(error, RateLimited) and error.scope == "app"
    assert error.retry_at is not None and (error.retry_at.hour, error.retry_at.minute) == (0, 0)


def test_token_answers() -> None:
    # LinkedIn: 60 days, scopes comma-separated, no refresh token.
    linkedin = tokens_from(
        {
            "access_token": "AQX-secret-token",
            "expires_in": 5_184_000,
            "scope": "openid,w_member_social",
        },
        NOW,
    )
    assert linkedin.expires_at == NOW + timedelta(days=60)
    assert (linkedin.refresh_token, linkedin.scopes) == (None, ("openid", "w_member_social"))
    # Mastodon: no expiry at all.
    assert tokens_from({"access_token": "m", "scope": "read write"}).expires_at is None
    assert "AQX-secret-token" not in repr(linkedin)  # tokens never show in logs or reprs


def test_posts_as_the_networks_list_them() -> None:
    assert plain_text('<p>Proud &amp; happy</p><p>2nd <a href="x">link</a></p>') == (
        "Proud & happy\n\n2nd link"
    )
    tweet = {
        "id": "1",
        "public_metrics": {
            "like_count": 3,
            "reply_count": 1,
            "retweet_count": 2,
            "quote_count": 1,
            "impression_count": 50,
        },
        "non_public_metrics": {"impression_count": 60, "url_link_clicks": 4},
        "entities": {"urls": [{"url": "https://t.co/a", "expanded_url": "https://rsn.test/l/a"}]},
    }
    stats = _stats(tweet)
    # Owner metrics win for impressions (60, not the public 50); reshares = retweets + quotes.
    assert (stats.impressions, stats.reactions, stats.comments, stats.reshares, stats.clicks) == (
        60,
        3,
        1,
        3,
        4,
    )
    assert _expanded_links(tweet) == ("https://rsn.test/l/a",)
