"""Post lengths as the networks count them; every expectation is worked out by hand."""

import time
from collections.abc import Callable

import pytest

from resonance.socialtext.length import (
    X_RULE,
    LengthRule,
    LengthUnit,
    code_point_length,
    find_urls,
    grapheme_count,
    mastodon_length,
    measure,
    weighted_length,
)

LINK = "https://careers.example.com/jobs/4242?utm_source=x"  # 50 characters, counts 23 on X


def test_ascii_weighs_one_per_character() -> None:
    assert weighted_length("hello world") == 11
    assert weighted_length("") == 0


def test_cjk_and_hangul_weigh_two() -> None:
    assert weighted_length("日本語") == 6  # U+65E5... are above 4351: 3 x 2
    assert weighted_length("한국어 ok") == 9  # 3 x 2 + " ok" 3 x 1


def test_weight_range_boundaries() -> None:
    # U+10FF is 4351 (last light code point), U+1100 is 4352 (first heavy one): 1 + 2.
    assert weighted_length("\u10ff\u1100") == 3
    # 8192-8205 light (U+2000..U+200D), 8206 heavy: 1 + 2. U+200D alone is no emoji.
    assert weighted_length("\u2000\u200d\u200e") == 1 + 1 + 2
    # 8208-8223 light (U+2010 hyphen, U+201F), U+2020 dagger heavy: 1 + 1 + 2.
    assert weighted_length("\u2010\u201f\u2020") == 4
    # 8242-8247 light (U+2032 prime .. U+2037), U+2038 heavy: 1 + 1 + 2.
    assert weighted_length("\u2032\u2037\u2038") == 4
    # Curly quotes and the en dash are light: 1 each.
    assert weighted_length("\u2018\u2019\u201c\u201d\u2013") == 5


def test_every_url_counts_23() -> None:
    assert weighted_length(LINK) == 23
    # "see " 4 + URL 23 + " and " 5 + bare www URL 23
    assert weighted_length("see https://a.example.org/x and www.example.org") == 55
    # The sentence's full stop is not part of the link: 5 + 23 + 1.
    assert weighted_length("Read https://example.com.") == 29
    # Parentheses around a link stay outside it, balanced ones inside a path stay in: 1+23+1.
    assert weighted_length("(https://example.com)") == 25
    assert weighted_length("https://en.wikipedia.org/wiki/Foo_(bar)") == 23
    # A short link still counts 23: X always uses its t.co form.
    assert weighted_length("x.co") == 23


def test_what_is_not_a_url() -> None:
    assert weighted_length("foo@example.com") == 15  # an e-mail address: 15 characters
    assert weighted_length("#example.com") == 12  # a hashtag
    assert weighted_length("file.txt") == 8  # "txt" is not a top-level domain we take
    assert weighted_length("Mr.Smith") == 8
    assert weighted_length("e.g. 3.5") == 8
    assert find_urls("example.com", bare_domains=False) == []


def test_a_url_ends_where_its_characters_end() -> None:
    # CJK right after a domain is not part of it: 23 + 2 x 2.
    assert weighted_length("https://example.com日本") == 27
    # An emoji after a path is not part of it either: 23 + 2.
    assert weighted_length("https://example.com/😷") == 25
    assert find_urls("go to https://example.com/a?b=c&d=e, then") == [(6, 35)]


def test_emoji_sequences_weigh_two_whatever_their_code_points() -> None:
    assert weighted_length("👍") == 2
    assert weighted_length("👍🏽") == 2  # thumbs up + skin tone: 2 code points
    assert weighted_length("👨\u200d👩\u200d👧") == 2  # family: 5 code points
    assert weighted_length("🇫🇷") == 2  # two regional indicators
    assert weighted_length("#\ufe0f\u20e3") == 2  # keycap: 3 code points
    assert weighted_length("❤\ufe0f") == 2  # heart + presentation selector
    assert weighted_length("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f") == 2
    # "©" is a pictograph (Extended_Pictographic); twitter-text counts it as an emoji: 2.
    assert weighted_length("©") == 2
    assert weighted_length("hi 👋🏻!") == 2 + 1 + 2 + 1


def test_nfc_before_counting() -> None:
    assert weighted_length("e\u0301") == 1  # composes to "é"
    assert weighted_length("q\u0303") == 2  # no composed form: q + combining tilde, 1 + 1
    # Hangul jamo L + V compose to the syllable U+AC00: one heavy character, not two.
    assert weighted_length("\u1100\u1161") == 2


def test_crlf_is_one_line_break() -> None:
    assert weighted_length("a\r\nb") == 3


def test_x_rule_limit() -> None:
    assert measure("a" * 280, X_RULE).fits
    over = measure("a" * 281, X_RULE)
    assert (over.fits, over.length, over.over) == (False, 281, 1)
    assert measure("日" * 140, X_RULE).fits  # 140 x 2 = 280
    assert measure("日" * 141, X_RULE).over == 2  # 282 - 280


def test_hard_cap_refuses_before_counting() -> None:
    # 16 x 280 = 4480 < 16384, so the cap is 16384 code points.
    assert X_RULE.hard_cap_chars == 16_384
    huge = measure("a" * 20_000, X_RULE)
    assert (huge.exact, huge.fits, huge.length, huge.over) == (False, False, 20_000, 19_720)
    # Even URLs, which count 23 whatever their length, cannot sneak past the cap.
    assert not measure("https://example.com/" + "a" * 20_000, X_RULE).fits


def test_mastodon_counts_graphemes_urls_and_local_part_of_mentions() -> None:
    assert mastodon_length("hello " + LINK) == 6 + 23
    assert mastodon_length("@alice@mastodon.social hi") == len("@alice hi")  # 9
    assert mastodon_length("example.com") == 11  # no scheme: Mastodon does not shorten it
    assert mastodon_length("👨\u200d👩\u200d👧 🇫🇷🇩🇪") == 1 + 1 + 2
    assert mastodon_length("e\u0301a\u0308") == 2  # é and ä
    rule = LengthRule(500, LengthUnit.GRAPHEMES, 23)
    assert measure("👍" * 500, rule).fits  # 500 graphemes (X would say 1000)
    assert measure("👍" * 501, rule).over == 1


def test_grapheme_count_pairs_flags_from_the_left() -> None:
    fr = "\U0001f1eb\U0001f1f7"
    assert grapheme_count(fr * 3) == 3
    assert grapheme_count(fr + "\U0001f1eb") == 2  # a lone regional indicator is one
    assert grapheme_count("ab\r\n") == 3  # CR LF is one cluster


def test_code_points_for_the_others() -> None:
    assert code_point_length(LINK) == 50  # LinkedIn counts links in full
    assert code_point_length("👍🏽") == 2
    assert code_point_length("e\u0301") == 1
    assert code_point_length("see " + LINK, url_length=23) == 27
    assert measure("a" * 3000, LengthRule(3000)).fits
    assert measure("a" * 3001, LengthRule(3000)).over == 1


N_SMALL, N_LARGE = 10_000, 70_000

# Inputs that make a naive URL or emoji matcher backtrack, built to a given size.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "words": lambda n: ("hello world " * n)[:n],
    "one long word": lambda n: "a" * n,
    "dotted labels": lambda n: "a." * (n // 2),
    "hyphenated labels": lambda n: "a-" * (n // 2) + ".com",
    "paren starts": lambda n: "(a." * (n // 3),
    "schemes": lambda n: "http://" * (n // 7),
    "closing parens in a path": lambda n: "https://example.com/" + ")" * n,
    "dots after a path": lambda n: "https://example.com/a" + "." * n,
    "cjk": lambda n: "日本語" * (n // 3),
    "cyrillic word": lambda n: "п" * n,
    "accented word": lambda n: "é" * n,
    "accented labels": lambda n: "é." * (n // 2),
    "emoji": lambda n: "👍🏽" * (n // 2),
    "zwj chain": lambda n: "👍" + "\u200d👍" * (n // 2),
    "regional indicators": lambda n: "\U0001f1eb" * n,
    "combining marks": lambda n: "a\u0301\u0302" * (n // 3),
    "mentions": lambda n: " @a@b." * (n // 6),
}


def _best_of_three(count: Callable[[str], int], text: str) -> float:
    # CPU time of this thread, not wall time: on a shared machine the wall clock measures the
    # other processes.
    best = float("inf")
    for _ in range(3):
        start = time.thread_time()
        count(text)
        best = min(best, time.thread_time() - start)
    return best


@pytest.mark.parametrize("count", [weighted_length, mastodon_length], ids=["x", "mastodon"])
@pytest.mark.parametrize("shape", list(ADVERSARIAL))
def test_counting_is_linear(count: Callable[[str], int], shape: str) -> None:
    small = _best_of_three(count, ADVERSARIAL[shape](N_SMALL))
    large = _best_of_three(count, ADVERSARIAL[shape](N_LARGE))
    # 7 times the input: linear work takes about 7 times as long, quadratic 49 times.
    assert large < 20 * small + 0.002, (shape, small, large)
    assert large < 0.070, (shape, large)  # under 1 ms per kB, with room for a busy machine
