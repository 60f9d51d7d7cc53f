"""Short codes, UTM-tagged destinations, salted visitor hashes, click windows."""

import hashlib
import hmac
import string
from datetime import UTC, datetime, timedelta

import pytest

from resonance.sharing.domain.links import (
    click_window_key,
    is_internal,
    is_short_code,
    new_short_code,
    parse_internal_networks,
    tracked_destination,
    visitor_hash,
)

SECRET = b"s3cret-for-tests"
AT = datetime(2025, 5, 1, 10, 30, tzinfo=UTC)


def test_short_codes_are_fixed_length_url_safe_and_unique() -> None:
    allowed = set(string.ascii_letters + string.digits + "-_")
    codes = {new_short_code() for _ in range(10_000)}
    assert len(codes) == 10_000
    assert all(len(c) == 12 and set(c) <= allowed for c in codes)
    assert len(new_short_code(16)) == 16 and len(new_short_code(13)) == 13
    with pytest.raises(ValueError):
        new_short_code(6)


def test_short_code_check() -> None:
    assert is_short_code("Abc-_123xyz9")
    assert not is_short_code("Abc-_123xyz")  # 11 characters
    assert not is_short_code("Abc/_123xyz9")
    assert not is_short_code("Abc%20123xyz")


def test_utm_parameters_added_existing_query_and_fragment_kept() -> None:
    url = tracked_destination(
        "https://careers.example.com/jobs/42?ref=home&lang=fr#apply",
        network="linkedin",
        share_id="sh_123",
        campaign="spring-2025",
    )
    assert url == (
        "https://careers.example.com/jobs/42?ref=home&lang=fr&utm_source=linkedin"
        "&utm_medium=employee_advocacy&utm_campaign=spring-2025&utm_content=sh_123#apply"
    )


def test_existing_encoding_is_kept_byte_for_byte() -> None:
    url = tracked_destination("https://e.example/s?q=a+b&x=%2F&flag", network="x", share_id="s1")
    assert url == (
        "https://e.example/s?q=a+b&x=%2F&flag&utm_source=x&utm_medium=employee_advocacy"
        "&utm_content=s1"
    )


def test_our_utm_keys_replace_theirs_other_utm_keys_stay() -> None:
    url = tracked_destination(
        "https://e.example/?utm_source=newsletter&utm_term=java&UTM_MEDIUM=mail",
        network="mastodon",
        share_id="s1",
        medium="advocacy",
    )
    assert url == (
        "https://e.example/?utm_term=java&utm_source=mastodon&utm_medium=advocacy&utm_content=s1"
    )


def test_values_are_encoded() -> None:
    url = tracked_destination("http://e.example", network="x", share_id="a b/c", campaign="été")
    # No path stays no path; space %20, / %2F, é is UTF-8 C3 A9.
    assert url == (
        "http://e.example?utm_source=x&utm_medium=employee_advocacy"
        "&utm_campaign=%C3%A9t%C3%A9&utm_content=a%20b%2Fc"
    )


def test_only_http_urls() -> None:
    for bad in ("javascript:alert(1)", "ftp://e.example/x", "/relative", "https://"):
        with pytest.raises(ValueError):
            tracked_destination(bad, network="x", share_id="s")


def test_visitor_hash_is_an_hmac_under_the_days_salt() -> None:
    salt = hmac.new(SECRET, b"visitor-salt:2025-05-01", hashlib.sha256).digest()
    expected = hmac.new(salt, b"203.0.113.7\x00Mozilla/5.0", hashlib.sha256).hexdigest()[:32]
    assert visitor_hash("203.0.113.7", "Mozilla/5.0", secret=SECRET, at=AT) == expected
    assert "203" not in visitor_hash("203.0.113.7", "Mozilla/5.0", secret=SECRET, at=AT)


def test_visitor_hash_changes_with_day_secret_and_agent() -> None:
    base = visitor_hash("203.0.113.7", "UA", secret=SECRET, at=AT)
    assert base == visitor_hash("203.0.113.7", "UA", secret=SECRET, at=AT + timedelta(hours=12))
    assert base != visitor_hash("203.0.113.7", "UA", secret=SECRET, at=AT + timedelta(days=1))
    assert base != visitor_hash("203.0.113.7", "UA", secret=b"other", at=AT)
    assert base != visitor_hash("203.0.113.7", "UA2", secret=SECRET, at=AT)
    assert base != visitor_hash("203.0.113.8", "UA", secret=SECRET, at=AT)


def test_one_ipv6_visitor_is_their_slash_64_and_mapped_ipv4_is_ipv4() -> None:
    a = visitor_hash("2001:db8:1:2:aaaa::1", "UA", secret=SECRET, at=AT)
    b = visitor_hash("2001:db8:1:2:bbbb::9", "UA", secret=SECRET, at=AT)
    c = visitor_hash("2001:db8:1:3::1", "UA", secret=SECRET, at=AT)
    assert a == b != c
    assert visitor_hash("::ffff:203.0.113.7", "UA", secret=SECRET, at=AT) == visitor_hash(
        "203.0.113.7", "UA", secret=SECRET, at=AT
    )


def test_click_window_key() -> None:
    # 2025-05-01T10:30Z is 1746095400 s after the epoch: // 3600 = 485026, // 1800 = 970053.
    assert click_window_key("code", "v", AT) == "code:v:485026"
    assert click_window_key("code", "v", AT.replace(minute=59, second=59)) == "code:v:485026"
    assert click_window_key("code", "v", AT.replace(hour=11, minute=0)) == "code:v:485027"
    assert click_window_key("code", "v", AT, timedelta(minutes=30)) == "code:v:970053"
    for bad in (timedelta(minutes=7), timedelta(0), timedelta(days=2)):
        with pytest.raises(ValueError):
            click_window_key("code", "v", AT, bad)


def test_internal_ranges_are_normalised_and_bad_ones_named() -> None:
    parsed = parse_internal_networks([" 10.1.2.3/8", "10.0.0.0/8", "192.168.1.10", "fd00::/8"])
    # Host bits cleared (10.1.2.3/8 is 10.0.0.0/8, so the second is a duplicate); a bare
    # address is its own /32.
    assert [str(n) for n in parsed] == ["10.0.0.0/8", "192.168.1.10/32", "fd00::/8"]
    with pytest.raises(ValueError, match=r"10\.0\.0\.0/33"):
        parse_internal_networks(["10.0.0.0/8", "10.0.0.0/33"])


def test_internal_is_decided_on_the_raw_address() -> None:
    office = parse_internal_networks(["10.20.0.0/16", "2001:db8:42::/48"])
    assert is_internal("10.20.255.1", office)  # last /16 block: 10.20.0.0 - 10.20.255.255
    assert not is_internal("10.21.0.1", office)  # just past it
    assert is_internal("::ffff:10.20.0.5", office)  # IPv4-mapped counts as IPv4
    assert is_internal("2001:db8:42:ffff::1", office)  # inside the /48
    assert not is_internal("2001:db8:43::1", office)
    assert not is_internal("not an address", office)
    assert not is_internal("10.20.0.1", ())  # no ranges: nothing is internal
