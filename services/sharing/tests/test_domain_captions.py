"""Composing the post text, checking it fits, picking caption variants, blocked terms."""

from collections import Counter

from resonance.sharing.domain.captions import (
    CaptionVariant,
    blocked_terms_found,
    check_length,
    choose_caption,
    compose_post_text,
)
from resonance.sharing.domain.networks import Network
from resonance.socialtext.length import LengthRule, LengthUnit

LINK = "https://r.example/l/abcdefghijkl"  # 32 characters; X counts 23


def test_compose_appends_disclosure_then_link() -> None:
    text = compose_post_text("Join us in Lyon ", disclosure="#ad", tracked_link=LINK)
    assert text == f"Join us in Lyon #ad\n{LINK}"


def test_compose_does_not_repeat_a_disclosure_the_caption_has() -> None:
    text = compose_post_text("#AD Join us", disclosure="#ad", tracked_link=LINK)
    assert text == f"#AD Join us\n{LINK}"


def test_compose_replaces_the_items_own_url_by_the_tracked_link() -> None:
    text = compose_post_text(
        "See https://careers.example.com/42 now",
        disclosure="#employee",
        tracked_link=LINK,
        item_url="https://careers.example.com/42",
    )
    assert text == f"See {LINK} now #employee"


def test_compose_without_caption() -> None:
    assert compose_post_text("", disclosure="#ad", tracked_link=LINK) == f"#ad\n{LINK}"
    assert compose_post_text("Hi") == "Hi"


def test_x_length_includes_disclosure_and_link_counted_23() -> None:
    # 250 + " #ad" 4 + newline 1 + link 23 = 278 <= 280
    assert (
        check_length("x", compose_post_text("a" * 250, disclosure="#ad", tracked_link=LINK)) is None
    )
    # 253 + 4 + 1 + 23 = 281: one over
    refusal = check_length("x", compose_post_text("a" * 253, disclosure="#ad", tracked_link=LINK))
    assert refusal is not None
    assert (refusal.network, refusal.length, refusal.limit, refusal.over) == (
        Network.X,
        281,
        280,
        1,
    )
    assert "X post is 281 characters" in refusal.describe() and "remove 1" in refusal.describe()


def test_linkedin_counts_the_link_in_full() -> None:
    # 2963 + " #ad" 4 + newline 1 + link 32 = 3000
    fits = compose_post_text("a" * 2963, disclosure="#ad", tracked_link=LINK)
    assert check_length("linkedin", fits) is None
    refusal = check_length("linkedin", "b" + fits)
    assert refusal is not None and (refusal.length, refusal.over) == (3001, 1)


def test_a_server_with_a_higher_limit_overrides_the_rule() -> None:
    text = "a" * 600
    assert check_length("mastodon", text) is not None
    assert check_length("mastodon", text, rule=LengthRule(1000, LengthUnit.GRAPHEMES, 23)) is None


def test_huge_text_is_refused_without_counting() -> None:
    refusal = check_length("x", "a" * 50_000)
    assert refusal is not None and not refusal.exact
    assert "about 50000" in refusal.describe()


VARIANTS = [
    CaptionVariant("linkedin", "fr", "On recrute à Lyon"),
    CaptionVariant("linkedin", "fr", "Rejoignez-nous !"),
    CaptionVariant("linkedin", "fr", "Venez travailler avec nous"),
    CaptionVariant("x", "en", "We're hiring in Lyon"),
    CaptionVariant("other", "fr", "Texte générique"),
    CaptionVariant("other", "en", "Generic text"),
]


def test_same_person_same_item_same_variant() -> None:
    first = choose_caption(VARIANTS, "linkedin", ["fr"], ambassador_id="a1", item_id="i1")
    again = choose_caption(VARIANTS, "linkedin", ["fr"], ambassador_id="a1", item_id="i1")
    assert first is not None and first == again
    assert first.candidates == 3 and not first.generic


def test_colleagues_are_spread_over_the_variants() -> None:
    picks: Counter[str] = Counter()
    for n in range(300):
        choice = choose_caption(VARIANTS, "linkedin", ["fr"], ambassador_id=f"a{n}", item_id="i1")
        assert choice is not None
        picks[choice.variant.text] += 1
    # Three variants, 300 people: about 100 each; a fair hash stays well above 60.
    assert len(picks) == 3 and min(picks.values()) > 60


def test_fallbacks_network_then_generic_then_any_language() -> None:
    # No French X caption: the generic French one.
    fr_x = choose_caption(VARIANTS, "x", ["fr-FR"], ambassador_id="a", item_id="i")
    assert fr_x is not None and fr_x.variant.text == "Texte générique" and fr_x.generic
    # English X caption exists.
    en_x = choose_caption(VARIANTS, "x", ["en"], ambassador_id="a", item_id="i")
    assert en_x is not None and en_x.variant.text == "We're hiring in Lyon"
    # German wanted, none at all: this network's in any language before generic ones.
    de_x = choose_caption(VARIANTS, "x", ["de"], ambassador_id="a", item_id="i")
    assert de_x is not None and de_x.variant.text == "We're hiring in Lyon"
    # Preference order of languages is honoured.
    en_first = choose_caption(VARIANTS, "facebook", ["en", "fr"], ambassador_id="a", item_id="i")
    assert en_first is not None and en_first.variant.text == "Generic text"
    assert choose_caption([], "x", ["en"], ambassador_id="a", item_id="i") is None


def test_blocked_terms_whole_words_any_case_or_width() -> None:
    assert blocked_terms_found("This is a classy post", ["ass"]) == []
    assert blocked_terms_found("Buy CRYPTO now", ["crypto", "scam"]) == ["crypto"]
    assert blocked_terms_found("\uff23\uff32\uff39\uff30\uff34\uff2f!", ["Crypto"]) == [
        "Crypto"
    ]  # fullwidth CRYPTO folds (NFKC)
    assert blocked_terms_found("no scam!", ["scam", "  "]) == ["scam"]
    assert blocked_terms_found("scammer, then scam.", ["scam"]) == ["scam"]
