"""A post's length as each network counts it (pure, linear time).

Three ways of counting exist among the networks we post to:

- **X** counts a *weighted* length (twitter-text configuration v3): after NFC normalisation
  and with CR LF read as one line break, each code point weighs 100, except those outside the
  ranges 0-4351, 8192-8205, 8208-8223 and 8242-8247, which weigh 200 (CJK, most symbols);
  an emoji sequence (flag, keycap, skin tone, ZWJ family, tag sequence) weighs 200 whatever
  its number of code points; each URL weighs 23 x 100; the total is divided by 100 and may
  not exceed 280.
- **Mastodon** counts grapheme clusters (what a reader sees as one character), each URL
  with a scheme as 23, and a remote mention `@user@host` as `@user`.
- The others (LinkedIn, Threads, Facebook, Instagram...) count characters; we count code
  points after NFC and URLs at their full length.

Approximations, all on the cautious side except the last two: X only shortens URLs with a
known top-level domain; we treat every `http(s)://` URL as one, and a bare domain as one when
its top-level domain is any two ASCII letters or a common generic one (so "Mr.Smith" is not,
"Node.js" is: 23 instead of 7). X only knows listed emoji; we take any sequence built from
Extended_Pictographic characters, so an invalid flag pair or an unknown ZWJ chain counts 2
where X counts each part (under-counts, rare in practice). The patterns are built so that no
input makes them backtrack more than linearly; the tests feed them the adversarial shapes.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import regex

# twitter-text v3 configuration (twitter-text/config/v3.json).
X_MAX_WEIGHTED_LENGTH = 280
X_SCALE = 100
X_DEFAULT_WEIGHT = 200
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # weight 100
X_LIGHT_WEIGHT = 100
X_URL_LENGTH = 23
MASTODON_URL_LENGTH = 23

# Code points weighing 100 on X; any other weighs 200.
_LIGHT_CLASS = "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in X_LIGHT_RANGES)
_HEAVY_RUNS = re.compile(f"[^{_LIGHT_CLASS}]+")

# One emoji sequence (UTS #51 shapes): a flag (two regional indicators), a keycap, or a
# pictograph with an optional emoji presentation selector, skin tone and tag sequence, then
# any number of ZWJ-joined pictographs. Each part is a class, so matching never backtracks
# more than one character.
_PICTOGRAPH = r"\p{Extended_Pictographic}\uFE0F?[\U0001F3FB-\U0001F3FF]?"
_EMOJI_SEQUENCE = regex.compile(
    r"\p{Regional_Indicator}\p{Regional_Indicator}"
    r"|[#*0-9]\uFE0F?\u20E3"
    rf"|{_PICTOGRAPH}(?:[\U000E0020-\U000E007E]+\U000E007F)?(?:\u200D{_PICTOGRAPH})*"
)
_GRAPHEME = regex.compile(r"\X")
# The regex module pairs regional indicators in quadratic time; pairs are counted first.
_FLAG_PAIR = re.compile("[\U0001f1e6-\U0001f1ff]{2}")

# Where a URL may start: a scheme, or a domain label not glued to a word, an @ (e-mail or
# mention), a $ or # (cashtag, hashtag) or to URL punctuation (twitter-text's rules). The
# lookbehind excludes every label character, so only the first letter of a run is tried:
# otherwise each letter of a long dotless run would rescan the run (quadratic).
_LABEL = "A-Za-z0-9\u00c0-\u024f\u0400-\u04ff"  # ASCII, Latin accents, Cyrillic (not CJK)
_URL_START = re.compile(
    rf"https?://|(?<![{_LABEL}@$#\uff20\uff03\-_./])[{_LABEL}][{_LABEL}-]*\.", re.IGNORECASE
)
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# Labels then an ASCII top-level domain that does not run on into more ASCII word characters
# ("example.com日本" ends after "com"). `[label]+\.` cannot overlap itself, so it is linear.
_DOMAIN = re.compile(rf"((?:[{_LABEL}-]+\.)+)([A-Za-z]{{2,63}})(?![A-Za-z0-9_-])", re.IGNORECASE)
# A host that is not "labels.tld": localhost, an IP address, an internationalised TLD.
_LOOSE_HOST = re.compile(r"[\w.~%\[\]:-]+")
_PORT = re.compile(r":\d{1,5}(?=[/?#\s]|$)")
# Characters twitter-text accepts in a URL's path and query (ASCII, Latin accents, Cyrillic).
_PATH = re.compile(
    r"[/?#][A-Za-z0-9!*';:=+,.$/%#\[\]\-_~|&@?()\u00C0-\u024F\u0300-\u036F\u0400-\u04FF\u2013]*"
)
# A URL may not end with these (they are the sentence's punctuation, not the link's).
_PATH_END_OK = frozenset("=_#/+-&") | frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

# Generic top-level domains common enough to appear bare in a caption. Two-letter ones are
# all taken as country codes.
COMMON_GENERIC_TLDS = frozenset(
    {
        "com",
        "net",
        "org",
        "edu",
        "gov",
        "mil",
        "int",
        "info",
        "biz",
        "name",
        "pro",
        "mobi",
        "asia",
        "tel",
        "travel",
        "jobs",
        "museum",
        "aero",
        "coop",
        "cat",
        "app",
        "dev",
        "page",
        "blog",
        "shop",
        "store",
        "online",
        "site",
        "tech",
        "cloud",
        "news",
        "media",
        "agency",
        "digital",
        "email",
        "group",
        "ltd",
        "solutions",
        "company",
        "global",
        "world",
        "life",
        "live",
        "today",
        "social",
        "network",
        "studio",
        "design",
        "art",
        "xyz",
        "top",
        "club",
        "website",
        "space",
        "link",
        "click",
        "io",
        "ai",
        "co",
        "tv",
        "me",
        "us",
        "uk",
        "eu",
        "de",
        "fr",
        "health",
        "finance",
        "bank",
        "careers",
    }
)

_REMOTE_MENTION = re.compile(r"(?<![/\w])(@[A-Za-z0-9_]+)@[\w.-]*\w")


class LengthUnit(StrEnum):
    X_WEIGHTED = "x_weighted"
    GRAPHEMES = "graphemes"
    CODE_POINTS = "code_points"


@dataclass(frozen=True)
class LengthRule:
    """How one network measures a post and how long it may be.

    `url_length`: every URL counts this many characters whatever its real length (None: at
    its real length). `hard_cap_chars`: a text with more code points than this is refused
    before any counting, so nobody can make us scan megabytes; it is far above anything the
    network would accept in practice.
    """

    limit: int
    unit: LengthUnit = LengthUnit.CODE_POINTS
    url_length: int | None = None

    @property
    def hard_cap_chars(self) -> int:
        return max(16 * self.limit, 16_384)


@dataclass(frozen=True)
class Measurement:
    """A text measured against a `LengthRule`.

    `exact` is False when the text was refused by the hard cap without being counted: then
    `length` is its number of code points, only an order of magnitude.
    """

    length: int
    limit: int
    exact: bool = True

    @property
    def fits(self) -> bool:
        return self.exact and self.length <= self.limit

    @property
    def over(self) -> int:
        """How many characters (in the network's unit) must go; 0 when it fits."""
        if self.exact:
            return max(0, self.length - self.limit)
        return max(1, self.length - self.limit)


X_RULE = LengthRule(X_MAX_WEIGHTED_LENGTH, LengthUnit.X_WEIGHTED, X_URL_LENGTH)


def normalise(text: str) -> str:
    """NFC, and CR LF (or a lone CR) read as one line break, as X does before counting."""
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _trim_path(url: str) -> str:
    """Drop sentence punctuation stuck to a URL's end; keep a `)` that closes a `(` in it."""
    end = len(url)
    opened, closed = url.count("("), url.count(")")
    while end > 0:
        last = url[end - 1]
        if last.lower() in _PATH_END_OK or "\u00c0" <= last <= "\u04ff":
            break
        if last == ")":
            if opened >= closed:
                break
            closed -= 1
        elif last == "(":
            opened -= 1
        end -= 1
    return url[:end]


def _domain_ok(labels: str, tld: str, *, bare: bool) -> bool:
    if any(not label or label[0] == "-" or label[-1] == "-" for label in labels[:-1].split(".")):
        return False
    if not bare:
        return True
    return len(tld) == 2 or tld.lower() in COMMON_GENERIC_TLDS


def _url_end(text: str, start: int, *, with_scheme: bool) -> int | None:
    """End of the URL starting at `start`, or None when there is none there."""
    pos = start
    if with_scheme:
        scheme = _SCHEME.match(text, pos)
        if scheme is None:
            return None
        pos = scheme.end()
    domain = _DOMAIN.match(text, pos)
    if domain is not None and _domain_ok(domain.group(1), domain.group(2), bare=not with_scheme):
        pos = domain.end()
    elif with_scheme:
        host = _LOOSE_HOST.match(text, pos)
        if host is None or not any(char.isalnum() for char in host.group()):
            return None
        pos = host.end()
    else:
        return None
    port = _PORT.match(text, pos)
    if port is not None:
        pos = port.end()
    path = _PATH.match(text, pos)
    if path is not None:
        pos = pos + len(_trim_path(path.group()))
    return pos


def find_urls(text: str, *, bare_domains: bool = True) -> list[tuple[int, int]]:
    """Spans `[start, end)` of the URLs in `text`, left to right, never overlapping.

    `bare_domains`: also take "example.com/path" without a scheme (X does, Mastodon not).
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    finder = _URL_START if bare_domains else _SCHEME
    while (candidate := finder.search(text, pos)) is not None:
        start = candidate.start()
        with_scheme = candidate.group()[:4].lower() == "http" and "://" in candidate.group()
        if with_scheme and start > 0 and (text[start - 1].isalnum() or text[start - 1] in "@$#"):
            end = None  # "xhttps://" or "@https://" is not a link to X
        else:
            end = _url_end(text, start, with_scheme=with_scheme)
        if end is None or end <= start:
            pos = candidate.end()
            continue
        spans.append((start, end))
        pos = end
    return spans


def _gaps(text: str, spans: list[tuple[int, int]]) -> list[str]:
    pieces, pos = [], 0
    for start, end in spans:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return pieces


def _weighted_plain(segment: str) -> int:
    """X weight (x100) of text holding no URL."""
    if segment.isascii():  # fast path: no emoji can be made of ASCII alone
        return X_LIGHT_WEIGHT * len(segment)
    rest, emoji = _EMOJI_SEQUENCE.subn("", segment)
    light = len(_HEAVY_RUNS.sub("", rest))
    heavy = len(rest) - light
    return X_DEFAULT_WEIGHT * emoji + X_LIGHT_WEIGHT * light + X_DEFAULT_WEIGHT * heavy


def weighted_length(text: str) -> int:
    """X's weighted length of `text` (twitter-text v3), in characters (280 is the limit).

    Examples: "hello" is 5; "日本語" is 6; "👨‍👩‍👧" is 2; any URL is 23.
    """
    text = normalise(text)
    spans = find_urls(text, bare_domains=True)
    total = X_URL_LENGTH * X_SCALE * len(spans)
    total += sum(_weighted_plain(gap) for gap in _gaps(text, spans))
    return total // X_SCALE


def grapheme_count(text: str) -> int:
    """Number of extended grapheme clusters (Unicode UAX #29): what readers see as characters."""
    if text.isascii():  # after `normalise` there is no CR LF, the one ASCII cluster of two
        return len(text) - text.count("\r\n")
    text = _FLAG_PAIR.sub("x", text)  # a flag is one cluster and joins what "x" joins
    return _GRAPHEME.subn("", text)[1]


def mastodon_length(text: str, *, url_length: int = MASTODON_URL_LENGTH) -> int:
    """Mastodon's count: graphemes, each URL with a scheme as `url_length`, `@u@host` as `@u`."""
    text = normalise(text)
    spans = find_urls(text, bare_domains=False)
    countable = "".join(_REMOTE_MENTION.sub(r"\1", gap) for gap in _gaps(text, spans))
    return grapheme_count(countable) + url_length * len(spans)


def code_point_length(text: str, *, url_length: int | None = None) -> int:
    """Code points after NFC; with `url_length`, each URL with a scheme counts that many."""
    text = normalise(text)
    if url_length is None:
        return len(text)
    spans = find_urls(text, bare_domains=False)
    return sum(len(gap) for gap in _gaps(text, spans)) + url_length * len(spans)


def measure(text: str, rule: LengthRule) -> Measurement:
    """`text` measured as the network of `rule` counts it, refusing huge texts first."""
    if len(text) > rule.hard_cap_chars:
        return Measurement(len(text), rule.limit, exact=False)
    if rule.unit is LengthUnit.X_WEIGHTED:
        length = weighted_length(text)
    elif rule.unit is LengthUnit.GRAPHEMES:
        length = mastodon_length(text, url_length=rule.url_length or MASTODON_URL_LENGTH)
    else:
        length = code_point_length(text, url_length=rule.url_length)
    return Measurement(length, rule.limit)
