"""Which requests to a tracked link count as clicks (user agents from the networks' docs)."""

import pytest

from resonance.sharing.domain.bots import MAX_USER_AGENT_CHARS, bot_match, classify_request

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
HUMANS = {
    "chrome": CHROME,
    "safari ios": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "linkedin app": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.8",
    "facebook app": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/21E236 [FBAN/FBIOS;FBAV/458.0.0.39.107;FBLC/en_US]",
    "x app": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Twitter for iPhone/10.40",
}
UNFURLERS = {
    "linkedin": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "x": "Twitterbot/1.0",
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "telegram": "TelegramBot (like TwitterBot)",
    "whatsapp": "WhatsApp/2.23.20.0 A",
    "skype": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "iframely": "Iframely/1.3.1 (+https://iframely.com/docs/about)",
    "embedly": "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
    "mastodon": "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "imessage": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like "
    "Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
    "bluesky": "Mozilla/5.0 (compatible; Cardyb/1.1; +mailto:support@bsky.app)",
    "misskey": "Misskey/2024.5.0 (https://misskey.io)",
    "matrix": "Synapse (bot; +https://github.com/matrix-org/synapse)",
}


@pytest.mark.parametrize("name", list(HUMANS))
def test_people_count(name: str) -> None:
    assert classify_request("GET", HUMANS[name]).counted


@pytest.mark.parametrize("name", list(UNFURLERS))
def test_unfurlers_do_not_count(name: str) -> None:
    verdict = classify_request("GET", UNFURLERS[name])
    assert not verdict.counted and verdict.reason in ("unfurler", "bot") and verdict.matched


def test_the_library_catches_crawlers_we_did_not_list() -> None:
    verdict = classify_request(
        "GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    )
    assert (verdict.counted, verdict.reason, verdict.matched) == (False, "bot", "Googlebot")
    assert bot_match("curl/8.5.0") == ("bot", "curl")
    assert bot_match(CHROME) is None


def test_only_get_counts() -> None:
    for method in ("HEAD", "OPTIONS", "POST"):
        assert classify_request(method, CHROME).reason == "not_get"
    assert classify_request("get", CHROME).counted


def test_missing_or_oversized_user_agent() -> None:
    assert classify_request("GET", None).reason == "no_user_agent"
    assert classify_request("GET", "   ").reason == "no_user_agent"
    huge = CHROME + " x" * MAX_USER_AGENT_CHARS
    assert classify_request("GET", huge).reason == "oversized_user_agent"


def test_announced_prefetches_do_not_count() -> None:
    chrome_prerender = classify_request("GET", CHROME, {"Sec-Purpose": "prefetch;prerender"})
    assert (chrome_prerender.counted, chrome_prerender.reason) == (False, "prefetch")
    assert classify_request("GET", CHROME, {"X-Moz": "prefetch"}).reason == "prefetch"
    assert classify_request("GET", CHROME, {"Accept": "text/html"}).counted
