"""How each network counts the length of a post, close enough for a sandbox.

X weighs characters (twitter-text v3): most Latin, Greek, Cyrillic and general punctuation
count 1, everything else (CJK, emoji) counts 2, and every URL counts 23, for 280 in all.
Mastodon counts characters with URLs as 23 and `@user@domain` as `@user`, for 500.
LinkedIn counts characters of `commentary`, for 3000.
"""

from __future__ import annotations

import re
import unicodedata

URL_WEIGHT = 23
_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(@[A-Za-z0-9_]+)@[A-Za-z0-9.\-]+[A-Za-z0-9]")
# twitter-text v3 ranges of weight 1 (the rest weigh 2).
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _char_weight(char: str) -> int:
    point = ord(char)
    return 1 if any(lo <= point <= hi for lo, hi in _LIGHT_RANGES) else 2


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(text):
        total += sum(_char_weight(c) for c in text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return total + sum(_char_weight(c) for c in text[position:])


def mastodon_length(text: str) -> int:
    countable = _URL.sub("x" * URL_WEIGHT, text)
    countable = _REMOTE_MENTION.sub(r"\1", countable)
    return len(countable)


def linkedin_length(text: str) -> int:
    return len(text)
