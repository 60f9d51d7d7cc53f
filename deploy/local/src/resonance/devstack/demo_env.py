"""What the demo seeding talks to: one HTTP client per service API, the network as a browser
sees it (the OIDC provider, the social sandbox), demo logins, and bounded waits.

`make run` points the clients at the services' ports; the integration test points them at
services running in-process (httpx's ASGI transport), so both run the very same seeding.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from resonance.devstack.demo_identities import DEMO_CLIENTS, DEMO_PASSWORD

T = TypeVar("T")

# Pooled connections are dropped after 2 s idle: uvicorn closes an idle keep-alive connection
# after 5 s, httpx keeps one for 5 s by default, and a request sent on a connection the server
# is closing at that very moment fails with a ReadError (seen once in the demo test's token
# call after a long seeding step).
HTTP_LIMITS = httpx.Limits(keepalive_expiry=2.0)


class DemoStepFailed(RuntimeError):
    """A demo API call answered something unexpected (the message says which call)."""


@dataclass
class DemoEnv:
    web: httpx.AsyncClient  # real HTTP: the OIDC provider, the sandbox's pages and control API
    apis: Mapping[str, httpx.AsyncClient]  # "content", "ambassadors", ...: base_url set
    issuer: str
    sandbox_url: str
    _tokens: dict[str, str] = field(default_factory=dict)

    def api(self, service: str) -> httpx.AsyncClient:
        return self.apis[service]

    def has(self, *services: str) -> bool:
        return all(s in self.apis for s in services)

    async def login(self, username: str) -> dict[str, str]:
        """Bearer headers of a demo user (password grant, as the CLI client signs in)."""
        if username not in self._tokens:
            self._tokens[username] = await self._token(
                grant_type="password",
                username=username,
                password=DEMO_PASSWORD,
                client_id="resonance-cli",
            )
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    async def machine(self, client_id: str) -> dict[str, str]:
        """Bearer headers of a demo machine client (client credentials)."""
        key = f"client:{client_id}"
        if key not in self._tokens:
            self._tokens[key] = await self._token(
                grant_type="client_credentials",
                client_id=client_id,
                client_secret=str(DEMO_CLIENTS[client_id]["secret"]),
            )
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    async def _token(self, **form: str) -> str:
        body = expect(await self.web.post(f"{self.issuer}/token", data=form), 200)
        return str(body["access_token"])


def expect(response: httpx.Response, *statuses: int) -> Any:
    """The JSON body (a page's text; None if empty) when the status is one of `statuses`, else DemoStepFailed
    naming the call, so a warning in `make run` says what went wrong."""
    if response.status_code not in statuses:
        request = response.request
        raise DemoStepFailed(
            f"{request.method} {request.url.path} answered {response.status_code}: "
            f"{response.text[:200]}"
        )
    if not response.content:
        return None
    if "json" not in response.headers.get("content-type", ""):
        return response.text  # a page (the consent form, the digest)
    return response.json()


def rows(body: Any) -> list[Any]:
    """The entries of a list answer, plain or a cursor page ({"items": [...], ...})."""
    if isinstance(body, dict):
        return list(body.get("items", []))
    return list(body or [])


async def until(
    check: Callable[[], Awaitable[T | None]],
    timeout: float,  # noqa: ASYNC109 - a polling deadline, not a cancellation scope
    interval: float = 0.2,
) -> T | None:
    """Polls `check` until it returns something truthy (returned) or `timeout` passes (None):
    the other services see what we did only once Kafka has carried it to them."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(interval)
