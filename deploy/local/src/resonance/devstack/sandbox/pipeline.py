"""The path every network call takes: latency, injected faults, token, rate limits, handler.

Faults come first because they stand for the network's infrastructure failing before the
request reaches the API. A fault with `after_effect` lets the call take effect (the post is
made) and only then fails or hangs: the case that tempts a client into posting twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from fastapi.responses import Response

from resonance.devstack.sandbox import errors, limits
from resonance.devstack.sandbox.config import Network
from resonance.devstack.sandbox.oauth import resolve_bearer
from resonance.devstack.sandbox.state import AccessToken, Account, Fault, SandboxState

HANG_POLL_S = 0.05


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's account and app, or only the client's address."""

    ip: str
    token: AccessToken | None = None
    account: Account | None = None

    @property
    def user(self) -> Account:
        if self.account is None:  # routes with auth="required" never see this
            raise LookupError("this call carries no user token")
        return self.account

    @property
    def client_id(self) -> str:
        return self.token.client_id if self.token else ""


Handler = Callable[[Caller], Response]


def sandbox_state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def hang(state: SandboxState, seconds: float) -> None:
    """Sleeps, but gives up early when the sandbox is reset (tests must not wait on it).

    Polls rather than waiting on an asyncio.Event: a reset may come from another thread.
    """
    generation = state.generation
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and state.generation == generation:  # noqa: ASYNC110
        await asyncio.sleep(min(HANG_POLL_S, max(0.0, deadline - time.monotonic())))


async def serve(
    request: Request,
    network: Network,
    op: str,
    handler: Handler,
    *,
    auth: Literal["required", "optional", "none"] = "required",
    limited: bool = True,
) -> Response:
    state = sandbox_state(request)
    delay = state.latency_for(network, op)
    if delay > 0:
        await asyncio.sleep(delay)
    fault = state.take_fault(network, op)
    deferred = fault if fault and fault.after_effect and fault.kind != "429" else None
    if fault is not None and deferred is None:
        return await fault_response(state, network, op, fault)
    with state.lock:
        response = _handle(state, request, network, op, handler, auth, limited)
    if deferred is None:
        return response
    if deferred.kind == "timeout":
        await hang(state, deferred.hang_s)
        return response
    return errors.server_error(network, deferred.status)


async def fault_response(state: SandboxState, network: Network, op: str, fault: Fault) -> Response:
    if fault.kind == "429":
        decision = limits.exhausted(state, network, op)
        scope = decision.exceeded.quota.scope if decision.exceeded else "user"
        response = errors.too_many_requests(network, scope)
        style = state.config.networks[network].reset_style
        response.headers.update(limits.rate_headers(decision, style))
        return response
    if fault.kind == "timeout":
        await hang(state, fault.hang_s)
        return errors.server_error(network, 504)
    return errors.server_error(network, fault.status)


def _handle(
    state: SandboxState,
    request: Request,
    network: Network,
    op: str,
    handler: Handler,
    auth: str,
    limited: bool,
) -> Response:
    ip = request.client.host if request.client else "unknown"
    caller = Caller(ip=ip)
    header = request.headers.get("authorization")
    if auth == "required" or (auth == "optional" and header):
        token = resolve_bearer(state, network, header)
        if isinstance(token, str):
            return errors.unauthorized(network, token)
        caller = Caller(ip=ip, token=token, account=state.account(network, token.account_id))
        if caller.account is None:
            return errors.unauthorized(network, "invalid")
    headers: dict[str, str] = {}
    if limited:
        user_key = caller.account.id if caller.account else f"ip:{ip}"
        app_key = caller.client_id or f"ip:{ip}"
        decision = limits.consume(state, network, op, user_key, app_key)
        headers = limits.rate_headers(decision, state.config.networks[network].reset_style)
        if not decision.allowed:
            scope = decision.exceeded.quota.scope if decision.exceeded else "user"
            refused = errors.too_many_requests(network, scope)
            refused.headers.update(headers)
            return refused
    response = handler(caller)
    response.headers.update(headers)
    return response
