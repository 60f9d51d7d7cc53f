"""Network profiles and share-intent URLs (encodings worked out by hand)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from resonance.sharing.domain.networks import (
    PROFILES,
    DailyWindow,
    Network,
    ShareMode,
    UnknownNetwork,
    api_networks,
    intent_networks,
    parse_network,
    profile,
    share_intent,
)
from resonance.socialtext.length import LengthUnit

LINK = "https://r.example/l/abc"
POST = "Hiring in Lyon! #ad\n" + LINK
# quote(safe=""): space %20, ! %21, # %23, newline %0A, : %3A, / %2F
POST_ENCODED = "Hiring%20in%20Lyon%21%20%23ad%0Ahttps%3A%2F%2Fr.example%2Fl%2Fabc"
LINK_ENCODED = "https%3A%2F%2Fr.example%2Fl%2Fabc"


def test_every_network_has_a_profile_and_the_split_is_api_versus_intent() -> None:
    assert set(PROFILES) == set(Network)
    assert api_networks() == (Network.LINKEDIN, Network.X, Network.MASTODON)
    assert set(intent_networks()) == {
        Network.FACEBOOK,
        Network.INSTAGRAM,
        Network.WHATSAPP,
        Network.XING,
        Network.THREADS,
    }


def test_length_rules_per_network() -> None:
    x, linkedin, mastodon = profile("x"), profile("linkedin"), profile("mastodon")
    assert (x.length.limit, x.length.unit, x.length.url_length) == (
        280,
        LengthUnit.X_WEIGHTED,
        23,
    )
    assert (linkedin.length.limit, linkedin.length.url_length) == (3000, None)
    assert (mastodon.length.limit, mastodon.length.unit, mastodon.length.url_length) == (
        500,
        LengthUnit.GRAPHEMES,
        23,
    )
    assert profile("instagram").length.limit == 2200
    assert profile("threads").length.limit == 500


def test_network_traits() -> None:
    assert profile("x").refreshes_tokens and not profile("linkedin").refreshes_tokens
    assert profile("mastodon").idempotency_keys and not profile("x").idempotency_keys
    assert not profile("instagram").links_clickable
    assert not profile("facebook").intent_prefills_text  # Meta forbids prefilled messages
    linkedin_limit = profile("linkedin").daily_limit
    assert linkedin_limit is not None and linkedin_limit.window is DailyWindow.UTC_DAY
    assert profile("mastodon").daily_limit is None
    assert profile("facebook").mode is ShareMode.INTENT


def test_parse_network_names_and_aliases() -> None:
    assert parse_network(" LinkedIn ") is Network.LINKEDIN
    assert parse_network("twitter") is Network.X
    assert parse_network("myspace") is None
    with pytest.raises(UnknownNetwork):
        profile("myspace")
    with pytest.raises(ValueError):  # UnknownNetwork is a ValueError
        profile("")


def test_x_intent_carries_the_whole_text() -> None:
    intent = share_intent("x", post_text=POST, link=LINK)
    assert intent.url == f"https://twitter.com/intent/tweet?text={POST_ENCODED}"
    assert intent.text_to_copy is None


def test_whatsapp_and_threads_intents_carry_the_text() -> None:
    whatsapp = share_intent("whatsapp", post_text=POST, link=LINK)
    assert whatsapp.url == f"https://wa.me/?text={POST_ENCODED}"
    threads = share_intent("threads", post_text=POST, link=LINK)
    assert threads.url == f"https://www.threads.net/intent/post?text={POST_ENCODED}"
    assert whatsapp.text_to_copy is None and threads.text_to_copy is None


def test_url_only_intents_hand_back_the_text_to_copy() -> None:
    facebook = share_intent("facebook", post_text=POST, link=LINK)
    assert facebook.url == f"https://www.facebook.com/sharer/sharer.php?u={LINK_ENCODED}"
    assert facebook.text_to_copy == POST
    linkedin = share_intent("linkedin", post_text=POST, link=LINK)
    assert linkedin.url == f"https://www.linkedin.com/sharing/share-offsite/?url={LINK_ENCODED}"
    xing = share_intent("xing", post_text=POST, link=LINK)
    assert xing.url == f"https://www.xing.com/spi/shares/new?url={LINK_ENCODED}"
    assert linkedin.text_to_copy == POST and xing.text_to_copy == POST


def test_facebook_share_dialog_with_app_id_and_hashtag() -> None:
    intent = share_intent(
        "facebook", post_text=POST, link=LINK, facebook_app_id="123", hashtag="ad"
    )
    assert intent.url == (
        "https://www.facebook.com/dialog/share?app_id=123&display=popup"
        f"&href={LINK_ENCODED}&hashtag=%23ad"
    )


def test_instagram_has_no_web_intent() -> None:
    intent = share_intent("instagram", post_text=POST, link=LINK)
    assert intent.url is None and intent.text_to_copy == POST


def test_mastodon_intent_lives_on_the_persons_server() -> None:
    intent = share_intent(
        "mastodon", post_text=POST, link=LINK, mastodon_instance="mastodon.social"
    )
    assert intent.url == f"https://mastodon.social/share?text={POST_ENCODED}"
    for bad in (None, "evil.example/phish?", "a b", "-bad.example", "user@host"):
        with pytest.raises(ValueError):
            share_intent("mastodon", post_text=POST, link=LINK, mastodon_instance=bad)


def test_reserved_and_non_ascii_characters_are_encoded() -> None:
    text = "a&b=c+d é/?#"
    intent = share_intent("x", post_text=text, link=LINK)
    # & %26, = %3D, + %2B (a bare + would read as a space), é is UTF-8 C3 A9, / %2F, ? %3F
    assert intent.url == "https://twitter.com/intent/tweet?text=a%26b%3Dc%2Bd%20%C3%A9%2F%3F%23"
    assert intent.url is not None
    assert parse_qs(urlsplit(intent.url).query)["text"] == [text]
