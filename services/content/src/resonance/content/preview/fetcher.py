"""Outgoing HTTP fetches of user-supplied URLs, guarded against server-side request forgery.

Every hop (the URL and each redirect) is resolved first; when any address it resolves to is
not public the fetch is refused unless the operator allows private links (a service setting,
never a tenant's). The connection then goes to the address that was checked (Host header and
TLS SNI keep the name), so a DNS answer that changes between the check and the connection
(rebinding) cannot slip through.

The whole fetch (every hop, every read) has one deadline, so a server trickling a byte at a
time cannot hold it longer. Refusals and failures carry one message each, whatever the cause:
a caller must not learn from our answers which internal names resolve or which ports answer
(the cause is kept in `cause` for our logs).
"""

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from resonance.content.domain.addresses import is_public_address

REFUSED = (
    "the link was refused: only http(s) links to public addresses are fetched "
    "(not private, loopback or link-local ones, nor links with credentials)"
)
UNREADABLE = "the link could not be read"
# Said after the page answered: its size is the page's, not a trait of the network.
TOO_LARGE = "the link could not be read: the page is too large"


class FetchRefused(Exception):
    """The URL may not be fetched (scheme, port, name or address): a 422 for the caller."""

    def __init__(self, cause: str) -> None:
        super().__init__(REFUSED)
        self.cause = cause


class FetchFailed(Exception):
    """The target could not be read (network, status, size, timeout)."""

    def __init__(self, cause: str, *, public: str = UNREADABLE) -> None:
        super().__init__(public)
        self.cause = cause


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False
    timeout_s: float = 5.0
    max_bytes: int = 2_000_000
    max_redirects: int = 5


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        # Refused like a private name: "does not resolve" vs "private" would map internal DNS.
        raise FetchRefused(f"cannot resolve {host}") from exc
    return sorted({str(info[4][0]) for info in infos})


async def _checked_address(url: str, policy: FetchPolicy) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused("only http and https URLs can be fetched")
    if not parts.hostname:
        raise FetchRefused("the URL has no host")
    if parts.username or parts.password:
        raise FetchRefused("URLs with credentials are not fetched")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused("the URL has an invalid port") from exc
    addresses = await _resolve(parts.hostname, port)
    if not policy.allow_private:
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise FetchRefused(
                f"{parts.hostname} resolves to a private, loopback or link-local address"
            )
    return parts.hostname, addresses[0], port


async def fetch(url: str, policy: FetchPolicy, accept: str = "text/html") -> Fetched:
    """The page at `url` within `policy`, or FetchRefused / FetchFailed."""
    try:
        async with asyncio.timeout(policy.timeout_s):
            return await _fetch(url, policy, accept)
    except TimeoutError as exc:
        raise FetchFailed("the page did not answer in time") from exc


async def _fetch(url: str, policy: FetchPolicy, accept: str) -> Fetched:
    current = url
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(policy.timeout_s), follow_redirects=False, trust_env=False
    ) as client:
        for _ in range(policy.max_redirects + 1):
            host, address, port = await _checked_address(current, policy)
            parts = urlsplit(current)
            literal = f"[{address}]" if ":" in address else address
            pinned = urlunsplit(
                (parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, "")
            )
            host_header = parts.netloc.rsplit("@", 1)[-1]
            try:
                async with client.stream(
                    "GET",
                    pinned,
                    headers={
                        "Host": host_header,
                        "Accept": accept,
                        "User-Agent": "ResonanceBot/1.0 (+link preview)",
                    },
                    extensions={"sni_hostname": host},
                ) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchFailed("redirect without a location")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise FetchFailed(f"the page answered {response.status_code}")
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                        raise FetchFailed("the page is too large", public=TOO_LARGE)
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body.extend(chunk)
                        if len(body) > policy.max_bytes:
                            raise FetchFailed("the page is too large", public=TOO_LARGE)
                    return Fetched(
                        url=current,
                        status=response.status_code,
                        content_type=response.headers.get("content-type", ""),
                        body=bytes(body),
                    )
            except httpx.TimeoutException as exc:
                raise FetchFailed("the page did not answer in time") from exc
            except httpx.HTTPError as exc:
                raise FetchFailed(f"the page could not be read ({type(exc).__name__})") from exc
    raise FetchFailed("too many redirects")
