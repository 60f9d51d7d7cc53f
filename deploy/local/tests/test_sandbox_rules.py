"""The sandbox's pure rules: PKCE, text length, analytics growth, rate windows and headers."""

from datetime import UTC, datetime

from resonance.devstack.sandbox import analytics
from resonance.devstack.sandbox.clock import SandboxClock, iso, parse_instant
from resonance.devstack.sandbox.config import DEFAULT_CLIENTS, Quota, default_config
from resonance.devstack.sandbox.limits import (
    LimitDecision,
    QuotaStatus,
    consume,
    rate_headers,
    window_start,
)
from resonance.devstack.sandbox.oauth import has_scope, parse_scopes, redirect_allowed, verify_pkce
from resonance.devstack.sandbox.state import SandboxState
from resonance.devstack.sandbox.text import mastodon_length, x_weighted_length

JAN_1 = datetime(2025, 1, 1, tzinfo=UTC).timestamp()


def test_pkce_matches_the_rfc_7636_example() -> None:
    # RFC 7636 Appendix B: this verifier hashes to this challenge.
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert verify_pkce(challenge, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert not verify_pkce(challenge, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl")
    # A verifier shorter than 43 characters is malformed, whatever it hashes to.
    assert not verify_pkce(challenge, "short")


def test_scopes_and_redirects() -> None:
    assert parse_scopes("openid profile,w_member_social") == {
        "openid",
        "profile",
        "w_member_social",
    }
    assert has_scope("mastodon", frozenset({"write"}), "write:statuses")
    assert not has_scope("x", frozenset({"tweet"}), "tweet.write")
    client = DEFAULT_CLIENTS["x"]
    assert redirect_allowed(client, "http://127.0.0.1:8003/v1/connections/x/callback")
    assert redirect_allowed(client, "http://localhost:3000/cb")
    assert not redirect_allowed(client, "https://evil.example/cb")
    assert not redirect_allowed(client, "http://user@127.0.0.1:80/cb")


def test_x_weighs_urls_and_wide_characters() -> None:
    # Latin letters weigh 1, a URL 23 whatever its length, CJK characters 2.
    assert x_weighted_length("hello") == 5
    assert x_weighted_length("see https://example.com/a/very/long/path?x=1") == 4 + 23
    assert x_weighted_length("日本") == 4
    assert x_weighted_length("a" * 256 + " https://example.com") == 280


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_user() -> None:
    assert mastodon_length("hi https://example.com/" + "x" * 100) == 3 + 23
    assert mastodon_length("@alice@mastodon.social hi") == len("@alice hi")


def test_impressions_grow_linearly_then_saturate() -> None:
    # 1,200 followers, 100 % reach over 48 h (172,800 s).
    assert analytics.impressions(1_200, 0, 100, 172_800) == 0
    assert analytics.impressions(1_200, 43_200, 100, 172_800) == 300  # 12 h: a quarter
    assert analytics.impressions(1_200, 172_800, 100, 172_800) == 1_200
    assert analytics.impressions(1_200, 10 * 172_800, 100, 172_800) == 1_200
    m = analytics.metrics(1_200, 43_200, 100, 172_800)
    # 300 impressions: 70 % reached = 210, one reaction per 50 = 6, one comment per 400 = 0.
    assert (m.reached, m.reactions, m.comments, m.link_clicks) == (210, 6, 0, 3)


def test_windows_align_on_the_epoch_so_a_day_starts_at_midnight_utc() -> None:
    noon = JAN_1 + 12 * 3600
    assert window_start(noon, 86_400) == JAN_1
    assert window_start(JAN_1 + 901, 900) == JAN_1 + 900


def test_consume_counts_until_the_limit_then_refuses() -> None:
    state = SandboxState(default_config(), SandboxClock(JAN_1, frozen=True))
    state.quotas["x"]["tweets_post_user_15m"] = Quota(
        "tweets_post_user_15m", ("post",), "user", 2, 900, "x-rate-limit"
    )
    first = consume(state, "x", "post", "u1", "app")
    second = consume(state, "x", "post", "u1", "app")
    third = consume(state, "x", "post", "u1", "app")
    other_user = consume(state, "x", "post", "u2", "app")
    assert (first.allowed, second.allowed, third.allowed, other_user.allowed) == (
        True,
        True,
        False,
        True,
    )
    assert third.exceeded is not None and third.exceeded.quota.name == "tweets_post_user_15m"
    state.clock.advance(900)  # the next window
    assert consume(state, "x", "post", "u1", "app").allowed


def test_header_family_shows_the_most_constrained_quota() -> None:
    wide = Quota("wide", ("*",), "user", 300, 300, "X-RateLimit")
    narrow = Quota("narrow", ("post",), "user", 300, 10_800, "X-RateLimit")
    decision = LimitDecision(
        True, (QuotaStatus(wide, 10, JAN_1 + 300), QuotaStatus(narrow, 299, JAN_1 + 10_800))
    )
    headers = rate_headers(decision, "iso")
    assert headers == {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "1",
        "X-RateLimit-Reset": "2025-01-01T03:00:00.000000Z",
    }
    x_quota = Quota("q", ("post",), "user", 100, 900, "x-rate-limit")
    x_headers = rate_headers(LimitDecision(True, (QuotaStatus(x_quota, 1, JAN_1 + 900),)), "epoch")
    assert x_headers["x-rate-limit-reset"] == str(int(JAN_1) + 900)
    assert rate_headers(decision, "none") == {}


def test_clock_moves_forward_only_and_formats_like_the_apis() -> None:
    clock = SandboxClock(JAN_1, frozen=True)
    assert clock.now() == JAN_1
    assert clock.advance(7200) == JAN_1 + 7200
    assert iso(JAN_1 + 0.5) == "2025-01-01T00:00:00.500Z"
    assert parse_instant("2025-01-01T00:00:00Z") == JAN_1
    try:
        clock.advance(-1)
    except ValueError:
        pass
    else:
        raise AssertionError("the clock went back")
