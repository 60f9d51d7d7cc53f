"""Pure rules of issue 8 (hostile input, trust boundaries): caption bounds before any
counting, addresses embedding IPv4, feed entries keyed and capped, sources backing off,
uniform fetch errors, and which ambassador events may still change the projection."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from resonance.content.domain.addresses import is_public_address
from resonance.content.domain.captions import (
    MAX_CAPTION_CHARS,
    MAX_CAPTIONS,
    check_captions,
    length_issue,
)
from resonance.content.domain.errors import CaptionsTooLarge, CaptionTooLong
from resonance.content.domain.membership import erasure_key, event_applies
from resonance.content.domain.sources import (
    MAX_GUID_CHARS,
    entry_key,
    next_attempt,
    usable_link,
)
from resonance.content.preview.feeds import NOT_A_FEED, parse_feed
from resonance.content.preview.fetcher import (
    REFUSED,
    FetchFailed,
    FetchPolicy,
    FetchRefused,
    fetch,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
<updated>2026-12-01T00:00:00Z</updated>
<entry><id>urn:a</id><title>Local file entry</title><link href="https://ex.org/a"/>
<updated>2026-12-01T00:00:00Z</updated></entry>
</feed>"""


# --- item 3: captions are bounded before they are counted ----------------------------------


def _timed(text: str) -> tuple[float, type[Exception] | None]:
    start = time.perf_counter()
    try:
        check_captions([("x", "en", text)], [], "#employee")
    except (CaptionTooLong, CaptionsTooLarge) as exc:
        return time.perf_counter() - start, type(exc)
    return time.perf_counter() - start, None


def test_x_caption_check_is_cheap_on_hostile_captions() -> None:
    # Was 16.6 s for 2,000 "a." with twitter-text-parser; a 70 kB caption blocked the loop.
    elapsed, refused = _timed("a." * 2000)
    # 2,000 x "a." is 4,000 characters; each "a." is no domain (one-letter TLD) and weighs 2.
    assert refused is CaptionTooLong
    assert elapsed < 0.05, elapsed
    elapsed, refused = _timed("a" * 70_000)
    assert refused is CaptionsTooLarge  # over MAX_CAPTION_CHARS: refused without counting
    assert elapsed < 0.005, elapsed


def test_caption_bounds_count_length_and_total() -> None:
    ok = ("other", "en", "a" * MAX_CAPTION_CHARS)
    check_captions([ok], [], None)
    with pytest.raises(CaptionsTooLarge) as one_too_long:
        check_captions([("other", "en", "a" * (MAX_CAPTION_CHARS + 1))], [], None)
    assert one_too_long.value.extensions["limit"] == MAX_CAPTION_CHARS
    with pytest.raises(CaptionsTooLarge) as too_many:
        check_captions([("linkedin", "en", "a")] * (MAX_CAPTIONS + 1), [], None)
    assert too_many.value.extensions["count"] == MAX_CAPTIONS + 1
    # Six captions of 10,000 are the 60,000 allowed in all; a seventh is too much.
    check_captions([ok] * 6, [], None)
    with pytest.raises(CaptionsTooLarge) as total:
        check_captions([ok] * 7, [], None)
    assert total.value.extensions["length"] == 70_000
    assert total.value.status == 422 and total.value.slug == "captions-too-large"


def test_a_huge_caption_is_refused_on_its_size_before_counting() -> None:
    # 16,384 is the floor of the cap (16 x 280 = 4,480 is lower): one more is not counted.
    issue = length_issue("x", "en", "a" * 16_385)
    assert issue is not None and issue.length == 16_385


# --- item 12: IPv6 addresses carrying an IPv4 one -------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254 (cloud metadata)
        "2002:808:808::1",  # 6to4 of 8.8.8.8: 6to4 is deprecated, never fetched
        "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
        "64:ff9b:1::a00:1",  # local-use NAT64 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::7f00:1",  # IPv4-compatible 127.0.0.1
    ],
)
def test_embedded_ipv4_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


def test_ordinary_public_ipv6_stays_public() -> None:
    assert is_public_address("2606:2800:220:1:248:1893:25c8:1946")
    assert is_public_address("::ffff:8.8.8.8")


# --- item 1: entries keyed and capped, failing sources back off ----------------------------


def test_long_guids_are_kept_as_their_digest() -> None:
    short = "urn:x:" + "g" * (MAX_GUID_CHARS - 6)
    assert entry_key(short) == short
    long = "g" * 10_000
    key = entry_key(long)
    assert key.startswith("sha256:") and len(key) == 7 + 64
    assert entry_key(long) == key and entry_key(long + "h") != key
    assert usable_link("https://ex.org/" + "a" * 3000) is None
    assert usable_link("https://ex.org/a") == "https://ex.org/a"
    assert usable_link("") is None


def test_a_failing_source_waits_twice_as_long_each_time() -> None:
    hour = 3600
    assert next_attempt(NOW, hour, 0, 86_400) == NOW + timedelta(hours=1)
    assert next_attempt(NOW, hour, 1, 86_400) == NOW + timedelta(hours=2)
    assert next_attempt(NOW, hour, 3, 86_400) == NOW + timedelta(hours=8)
    # 2^5 hours = 32 h is over the one-day cap.
    assert next_attempt(NOW, hour, 5, 86_400) == NOW + timedelta(days=1)
    # A weekly source is never polled sooner than weekly for failing.
    assert next_attempt(NOW, 7 * 86_400, 9, 86_400) == NOW + timedelta(days=7)
    assert next_attempt(NOW, hour, 10_000, 86_400) == NOW + timedelta(days=1)


def test_a_body_that_looks_like_a_path_is_never_opened(tmp_path: Path) -> None:
    local = tmp_path / "local.atom"
    local.write_bytes(ATOM)
    assert [title for _, _, title, _ in parse_feed(ATOM)] == ["Local file entry"]
    for body in (str(local).encode(), b"/etc/passwd", b"/dev/zero"):
        with pytest.raises(FetchFailed) as refused:
            parse_feed(body)
        assert str(refused.value) == NOT_A_FEED


def test_feed_entries_with_a_huge_guid_are_keyed_by_digest() -> None:
    feed = ATOM.replace(b"<id>urn:a</id>", b"<id>" + b"g" * 10_000 + b"</id>")
    [(key, link, title, _)] = parse_feed(feed)
    assert key == entry_key("g" * 10_000) and len(key) == 71
    assert (link, title) == ("https://ex.org/a", "Local file entry")


# --- item 6: refusals say the same whatever the cause ---------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://does-not-exist.invalid/",
        "ftp://example.org/",
        "http://user:pw@example.org/",
    ],
)
async def test_refused_fetches_all_say_the_same(url: str) -> None:
    with pytest.raises(FetchRefused) as refused:
        await fetch(url, FetchPolicy(timeout_s=2))
    assert str(refused.value) == REFUSED


# --- item 5: versions and erasure tombstones --------------------------------------------------


def test_older_events_and_events_from_before_an_erasure_do_not_apply() -> None:
    earlier, later = NOW - timedelta(minutes=1), NOW + timedelta(minutes=1)
    assert event_applies(NOW, None, None)
    assert event_applies(NOW, NOW, None)  # a redelivery of the same event: harmless
    assert not event_applies(earlier, NOW, None)  # a replay of an older state
    assert event_applies(later, NOW, None)
    assert not event_applies(earlier, None, NOW)  # a late event about an erased person
    assert not event_applies(NOW, None, NOW)
    assert event_applies(later, None, NOW)  # joined again after the erasure
    assert erasure_key("emp-1") != "emp-1" and len(erasure_key("emp-1")) == 64
