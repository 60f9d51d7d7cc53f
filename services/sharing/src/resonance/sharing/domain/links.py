"""Tracked links: short codes, the redirect target with UTM parameters, visitor hashes.

Each share gets its own unguessable code; `GET /l/{code}` answers 302 to the item's URL with
`utm_source` (network), `utm_medium`, `utm_campaign` and `utm_content` (share id) added. A
click is counted once per visitor per window, a visitor being known only by a salted hash of
IP address and user agent: the salt changes every day and no raw IP address is kept.
"""

import hashlib
import hmac
import ipaddress
import math
import secrets
import string
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

SHORT_CODE_LENGTH = 12  # 72 random bits: unguessable, and still short in a post
_CODE_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
DEFAULT_UTM_MEDIUM = "employee_advocacy"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
DEFAULT_CLICK_WINDOW = timedelta(hours=1)
VISITOR_HASH_CHARS = 32  # 128 bits of the HMAC: no collisions in any realistic day


def new_short_code(length: int = SHORT_CODE_LENGTH) -> str:
    """A fresh random code of exactly `length` URL-safe characters (A-Z a-z 0-9 - _)."""
    if length < 8:
        raise ValueError("a short code needs at least 8 characters to stay unguessable")
    # token_urlsafe(n) gives ceil(4n/3) characters of 6 random bits each; cut to length.
    return secrets.token_urlsafe(math.ceil(length * 3 / 4))[:length]


def is_short_code(value: str, length: int = SHORT_CODE_LENGTH) -> bool:
    """Cheap check before any lookup: right length, only URL-safe characters."""
    return len(value) == length and all(char in _CODE_CHARS for char in value)


def tracked_destination(
    url: str,
    *,
    network: str,
    share_id: str,
    campaign: str | None = None,
    medium: str = DEFAULT_UTM_MEDIUM,
) -> str:
    """`url` with our UTM parameters, everything else about it kept as it was.

    Existing query parameters keep their order and their exact encoding, and the fragment
    stays; an existing `utm_source`, `utm_medium`, `utm_campaign` or `utm_content` is
    replaced (the share is the truth about where this visit came from); other `utm_*`
    parameters (`utm_term`, `utm_id`) are kept. `utm_campaign` is left out without a campaign.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.split("=", 1)[0]).lower() not in UTM_KEYS
    ]
    ours = {"utm_source": network, "utm_medium": medium}
    if campaign:
        ours["utm_campaign"] = campaign
    ours["utm_content"] = share_id
    query = "&".join([*kept, urlencode(ours, quote_via=quote)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def day_salt(secret: bytes, day: date) -> bytes:
    """The salt of one UTC day, derived from the service's secret (nothing to store)."""
    return hmac.new(secret, f"visitor-salt:{day.isoformat()}".encode(), hashlib.sha256).digest()


def _network_part(ip: str) -> str:
    """The address as one visitor: IPv4 whole; IPv6 its /64, since devices rotate the rest."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip()
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def visitor_hash(ip: str, user_agent: str | None, *, secret: bytes, at: datetime) -> str:
    """HMAC-SHA256 of (IP address, user agent) under the day's salt, hex, 32 characters.

    Without the secret the hash cannot be reversed by trying all IPv4 addresses; the same
    visitor hashes differently the next day, so visits cannot be linked across days.
    """
    day = at.astimezone(UTC).date()
    message = f"{_network_part(ip)}\x00{user_agent or ''}".encode()
    digest = hmac.new(day_salt(secret, day), message, hashlib.sha256).hexdigest()
    return digest[:VISITOR_HASH_CHARS]


def click_window_key(
    code: str, visitor: str, at: datetime, window: timedelta = DEFAULT_CLICK_WINDOW
) -> str:
    """The key under which a click counts once: (code, visitor, window of `at`).

    Windows are fixed slices of the UTC day (with the default, each hour), so the key suits
    a unique constraint (insert, do nothing on conflict). `window` must divide a day, so a
    window never straddles the daily change of the visitor hash's salt.
    """
    seconds = int(window.total_seconds())
    if seconds <= 0 or 86_400 % seconds or window.microseconds:
        raise ValueError("the click window must divide a day into whole seconds")
    bucket = int(at.astimezone(UTC).timestamp()) // seconds
    return f"{code}:{visitor}:{bucket}"


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_INTERNAL_NETWORKS = 100


def parse_internal_networks(values: Iterable[str]) -> tuple[IpNetwork, ...]:
    """A tenant's internal address ranges (CIDR, or a single address), normalised; ValueError
    names the first one that is not an address range. Host bits are allowed
    ("10.1.2.3/8" means 10.0.0.0/8): administrators paste addresses as they find them."""
    found: dict[IpNetwork, None] = {}
    for value in values:
        try:
            found.setdefault(ipaddress.ip_network(value.strip(), strict=False), None)
        except ValueError as exc:
            raise ValueError(f"not an address range: {value[:60]!r}") from exc
    return tuple(found)


def is_internal(ip: str, networks: Iterable[IpNetwork]) -> bool:
    """Whether a click came from inside the organisation (its offices, its VPN): decided on
    the raw address BEFORE it is hashed, since the hash cannot be tested afterwards. An
    IPv4-mapped IPv6 address counts as its IPv4 address; an unreadable one is outside."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)
