"""HTTP plumbing shared by the connectors: one call, its errors classified, rate limits read.

Classification (after Postiz's and Mixpost's connectors, see shared/social-networks.md §7):
401 → Unauthorized; 429 → RateLimited (when it frees, from the headers); 5xx, timeouts and
broken connections → Unavailable (a write's outcome is then unknown); other 4xx → Rejected.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from resonance.sharing.connectors.base import (
    NetworkError,
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
)
from resonance.sharing.domain.pacing import next_call_at

log = logging.getLogger(__name__)

_RATE_HEADER_HINTS = ("ratelimit", "rate-limit", "limit-24hour", "retry-after")


def rate_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Only the headers that speak of rate limits (kept for pacing; never auth headers)."""
    return {
        k.lower(): v for k, v in headers.items() if any(h in k.lower() for h in _RATE_HEADER_HINTS)
    }


def error_detail(response: httpx.Response) -> str:
    """The network's own error words: LinkedIn `message`, X `detail`/`title`, Mastodon
    `error`, OAuth `error_description`. Bounded; never the request (which holds tokens)."""
    try:
        body: Any = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors else {}
        for source in (body, first if isinstance(first, dict) else {}):
            for key in ("message", "detail", "error_description", "error", "title"):
                value = source.get(key)
                if isinstance(value, str) and value:
                    return value[:500]
    return f"HTTP {response.status_code}"


def classify(network: str, response: httpx.Response) -> NetworkError:
    """The error a non-2xx `response` stands for."""
    status = response.status_code
    detail = error_detail(response)
    headers = rate_headers(response.headers)
    if status == 401:
        return Unauthorized(detail, status=status, headers=headers)
    if status == 429:
        # LinkedIn: a bare 429 is a spent daily quota (until 00:00 UTC); X and Mastodon say
        # when their window resets (domain/pacing.py reads each dialect).
        retry_at = next_call_at(network, status, response.headers, now=datetime.now(UTC))
        app_wide = "APPLICATION" in detail or headers.get("x-app-limit-24hour-remaining") == "0"
        return RateLimited(
            detail, headers=headers, retry_at=retry_at, scope="app" if app_wide else "account"
        )
    if status >= 500:
        return Unavailable(detail, status=status, headers=headers)
    return Rejected(detail, status=status, headers=headers)


async def send(
    network: str,
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200, 201),
    **kwargs: Any,
) -> httpx.Response:
    """One call; a non-`ok` answer or a transport failure raises a classified NetworkError."""
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise Unavailable(f"timed out: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise Unavailable(f"connection failed: {type(exc).__name__}") from exc
    if response.status_code in ok:
        return response
    error = classify(network, response)
    log.info(
        "%s %s answered %d (%s)",
        method,
        httpx.URL(url).path,
        response.status_code,
        type(error).__name__,
    )
    raise error


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise Rejected("the network answered something that is not JSON") from exc
    if not isinstance(body, dict):
        raise Rejected("the network answered an unexpected JSON value")
    return body
