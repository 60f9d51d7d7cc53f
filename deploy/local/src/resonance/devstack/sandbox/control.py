"""`/_control/*`: the JSON API tests and benchmarks drive the sandbox with.

Reset, the clock, limits, latency, injected faults, revocation, accounts, token minting,
link-unfurl bursts and the ground truth: every post the sandbox accepted. None of it exists on
a real network; connectors must never call it.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import replace
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from resonance.devstack.sandbox import unfurl
from resonance.devstack.sandbox.clock import iso, parse_instant
from resonance.devstack.sandbox.config import NETWORKS, OPS, Network, OAuthClient
from resonance.devstack.sandbox.oauth import mint, revoke_account, revoke_token
from resonance.devstack.sandbox.pipeline import sandbox_state
from resonance.devstack.sandbox.state import Fault, SandboxState

router = APIRouter(prefix="/_control", tags=["control"])

Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Op = Literal[
    "*",
    "authorize",
    "token",
    "revoke",
    "register",
    "me",
    "followers",
    "post",
    "list_posts",
    "metrics",
]
assert set(OPS) | {"*"} == set(get_args(Op)), "Op must list config.OPS"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResetBody(Strict):
    now: float | Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="Start the clock here (epoch seconds or ISO-8601); default: real time"
    )
    frozen: bool = False


class AdvanceBody(Strict):
    seconds: float = Field(ge=0, le=10 * 365 * 86_400)


class ClockBody(Strict):
    frozen: bool


class QuotaPatch(Strict):
    limit: int | None = Field(None, ge=0, le=10_000_000)
    period_s: int | None = Field(None, ge=1, le=366 * 86_400)


class LimitsBody(Strict):
    enabled: bool | None = None
    quotas: dict[Name, QuotaPatch] = Field(default_factory=dict, max_length=32)


class LatencyBody(Strict):
    network: Network
    op: Op = "*"
    seconds: float = Field(ge=0, le=120)


class FaultBody(Strict):
    network: Network
    op: Op = "*"
    kind: Literal["5xx", "429", "timeout"]
    count: int = Field(1, ge=1, le=10_000)
    status: int = Field(503, ge=500, le=599)
    hang_s: float = Field(30.0, ge=0, le=600, description="timeout: how long the call hangs")
    after_effect: bool = Field(
        False, description="the call takes effect (e.g. the post is made) before failing"
    )


class RevokeBody(Strict):
    token: Annotated[str, StringConstraints(max_length=512)] | None = None
    network: Network | None = None
    username: Name | None = None


class AccountBody(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    followers: int | None = Field(None, ge=0, le=1_000_000_000)


class TokenBody(Strict):
    network: Network
    username: Name
    scopes: list[Name] | None = Field(None, max_length=32)
    client_id: Annotated[str, StringConstraints(max_length=128)] | None = None


class ClientBody(Strict):
    secret: Annotated[str, StringConstraints(max_length=256)] | None = None
    scopes: list[Name] | None = Field(None, max_length=32)
    redirect_uris: list[Annotated[str, StringConstraints(max_length=2_048)]] = Field(
        default_factory=list, max_length=20
    )
    allow_loopback_redirects: bool = True
    name: Annotated[str, StringConstraints(max_length=200)] = "Resonance"


class DuplicatesBody(Strict):
    reject: bool


Method = Literal["HEAD", "GET"]


def _head_then_get() -> list[Method]:
    return ["HEAD", "GET"]


class UnfurlBody(Strict):
    url: Annotated[str, StringConstraints(max_length=2_048)]
    bots: list[Literal["linkedin", "x", "mastodon", "bluesky", "facebook", "slack"]] = Field(
        default_factory=lambda: list(unfurl.DEFAULT_BOTS), max_length=6
    )
    mastodon_instances: int = Field(1, ge=0, le=100)
    methods: list[Method] = Field(default_factory=_head_then_get, max_length=2)
    spread_s: float = Field(0.0, ge=0, le=60)
    wait: bool = True


def _clock(state: SandboxState) -> dict[str, Any]:
    now = state.now()
    return {"now": now, "iso": iso(now), "frozen": state.clock.frozen}


@router.post("/reset")
async def reset(request: Request, body: ResetBody | None = None) -> dict[str, Any]:
    state = sandbox_state(request)
    body = body or ResetBody()
    try:
        start = None if body.now is None else parse_instant(body.now)
    except ValueError as exc:
        raise HTTPException(422, f"now: {exc}") from exc
    state.reset(start, frozen=body.frozen)
    return {"reset": True, "clock": _clock(state)}


@router.get("/clock")
async def get_clock(request: Request) -> dict[str, Any]:
    return _clock(sandbox_state(request))


@router.post("/clock/advance")
async def advance(request: Request, body: AdvanceBody) -> dict[str, Any]:
    state = sandbox_state(request)
    state.clock.advance(body.seconds)
    return _clock(state)


@router.put("/clock")
async def set_clock(request: Request, body: ClockBody) -> dict[str, Any]:
    state = sandbox_state(request)
    state.clock.set_frozen(body.frozen)
    return _clock(state)


def _limits(state: SandboxState, network: Network) -> dict[str, Any]:
    return {
        "enabled": state.limits_enabled[network],
        "quotas": {
            q.name: {
                "ops": list(q.ops),
                "scope": q.scope,
                "limit": q.limit,
                "period_s": q.period_s,
                "headers": q.headers,
                "per_op": q.per_op,
            }
            for q in state.quotas[network].values()
        },
    }


@router.get("/limits")
async def get_limits(request: Request) -> dict[str, Any]:
    state = sandbox_state(request)
    return {n: _limits(state, n) for n in NETWORKS}


@router.put("/limits/{network}")
async def set_limits(request: Request, network: Network, body: LimitsBody) -> dict[str, Any]:
    state = sandbox_state(request)
    with state.lock:
        unknown = sorted(set(body.quotas) - set(state.quotas[network]))
        if unknown:
            raise HTTPException(404, f"unknown quota(s) for {network}: {', '.join(unknown)}")
        if body.enabled is not None:
            state.limits_enabled[network] = body.enabled
        for name, patch in body.quotas.items():
            changes = patch.model_dump(exclude_none=True)
            state.quotas[network][name] = replace(state.quotas[network][name], **changes)
        return _limits(state, network)


@router.get("/latency")
async def get_latency(request: Request) -> list[dict[str, Any]]:
    state = sandbox_state(request)
    with state.lock:
        return [{"network": n, "op": op, "seconds": s} for (n, op), s in state.latency.items()]


@router.put("/latency")
async def set_latency(request: Request, body: LatencyBody) -> dict[str, Any]:
    state = sandbox_state(request)
    with state.lock:
        if body.seconds == 0:
            state.latency.pop((body.network, body.op), None)
        else:
            state.latency[(body.network, body.op)] = body.seconds
    return body.model_dump()


@router.post("/faults", status_code=201)
async def add_fault(request: Request, body: FaultBody) -> dict[str, Any]:
    fault = Fault(
        uuid.uuid4().hex[:12],
        body.network,
        body.op,
        body.kind,
        body.count,
        body.status,
        body.hang_s,
        body.after_effect,
    )
    try:
        sandbox_state(request).add_fault(fault)
    except OverflowError as exc:
        raise HTTPException(409, str(exc)) from exc
    return fault.describe()


@router.get("/faults")
async def list_faults(request: Request) -> list[dict[str, Any]]:
    state = sandbox_state(request)
    with state.lock:
        return [f.describe() for f in state.faults]


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, int]:
    state = sandbox_state(request)
    with state.lock:
        count = len(state.faults)
        state.faults.clear()
    return {"cleared": count}


@router.post("/revoke")
async def revoke(request: Request, body: RevokeBody) -> dict[str, int]:
    """{"token": t} revokes one token (a refresh token takes its chain); {"network", "username"}
    revokes everything that account granted."""
    state = sandbox_state(request)
    if body.token:
        return {"revoked": sum(revoke_token(state, n, body.token, None) for n in NETWORKS)}
    if body.network and body.username:
        account = state.account_by_username(body.network, body.username)
        if account is None:
            raise HTTPException(404, "no such account")
        return {"revoked": revoke_account(state, body.network, account.id)}
    raise HTTPException(422, "give a token, or a network and a username")


@router.get("/accounts")
async def list_accounts(
    request: Request, network: Network | None = None, limit: int = Query(1_000, ge=1, le=20_000)
) -> list[dict[str, Any]]:
    state = sandbox_state(request)
    with state.lock:
        chosen = [a for a in state.accounts.values() if network is None or a.network == network]
    return [
        {
            "network": a.network,
            "username": a.username,
            "id": a.id,
            "name": a.name,
            "email": a.email,
            "followers": a.followers,
        }
        for a in chosen[:limit]
    ]


@router.put("/accounts/{network}/{username}")
async def put_account(
    request: Request, network: Network, username: Name, body: AccountBody
) -> dict[str, Any]:
    state = sandbox_state(request)
    try:
        a = state.upsert_account(
            network, username, name=body.name, email=body.email, followers=body.followers
        )
    except OverflowError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {
        "network": a.network,
        "username": a.username,
        "id": a.id,
        "name": a.name,
        "email": a.email,
        "followers": a.followers,
    }


@router.put("/clients/{network}/{client_id}")
async def put_client(
    request: Request, network: Network, client_id: Name, body: ClientBody
) -> dict[str, Any]:
    state = sandbox_state(request)
    default = state.config.networks[network].clients[0]
    scopes = frozenset(body.scopes) if body.scopes is not None else default.scopes
    state.register_client(
        OAuthClient(
            network,
            client_id,
            body.secret,
            scopes,
            tuple(body.redirect_uris),
            body.allow_loopback_redirects,
            body.name,
        )
    )
    return {
        "network": network,
        "client_id": client_id,
        "scopes": sorted(scopes),
        "redirect_uris": body.redirect_uris,
        "allow_loopback_redirects": body.allow_loopback_redirects,
    }


@router.post("/tokens")
async def mint_token(request: Request, body: TokenBody) -> dict[str, Any]:
    """A token without the browser dance, for benchmarks that need many connected accounts."""
    state = sandbox_state(request)
    client_id = body.client_id or state.config.networks[body.network].clients[0].client_id
    client = state.client(body.network, client_id)
    if client is None:
        raise HTTPException(404, "no such client")
    scopes = frozenset(body.scopes) if body.scopes is not None else client.scopes
    if not scopes <= client.scopes:
        raise HTTPException(
            422, f"scopes not allowed for {client_id}: {sorted(scopes - client.scopes)}"
        )
    account = state.upsert_account(body.network, body.username)
    issued = mint(state, body.network, client_id, account.id, scopes, secrets.token_hex(8))
    answer: dict[str, Any] = {
        "access_token": issued.access.token,
        "expires_in": issued.expires_in(state.now()),
        "scope": " ".join(sorted(scopes)),
        "account_id": account.id,
        "username": account.username,
    }
    if issued.refresh is not None:
        answer["refresh_token"] = issued.refresh.token
    return answer


@router.put("/duplicates")
async def set_duplicates(request: Request, body: DuplicatesBody) -> dict[str, bool]:
    """Whether X and LinkedIn refuse the same text from the same author within 24 h."""
    state = sandbox_state(request)
    state.reject_duplicates = body.reject
    return {"reject": body.reject}


@router.get("/posts")
async def ground_truth(
    request: Request,
    network: Network | None = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
    limit: int = Query(10_000, ge=1, le=200_000),
) -> dict[str, Any]:
    """Every post accepted, oldest first: the reference for "nothing lost, nothing twice"."""
    state = sandbox_state(request)
    with state.lock:
        posts = [
            p.ground_truth()
            for p in state.posts
            if (network is None or p.network == network)
            and (username is None or p.username == username)
        ]
        return {
            "count": len(posts[:limit]),
            "total": len(posts),
            "posts": posts[:limit],
            "dropped": state.dropped_posts,
            "rejected_duplicates": state.rejected_duplicates,
        }


_background: set[asyncio.Task[Any]] = set()


@router.post("/unfurl")
async def unfurl_burst(request: Request, body: UnfurlBody) -> JSONResponse:
    """The sandbox fetches `url` as the networks' preview bots would (loopback targets only)."""
    state = sandbox_state(request)
    if not unfurl.is_loopback(body.url):
        raise HTTPException(422, "url must be http(s) on 127.0.0.1, ::1 or localhost")
    agents = unfurl.agents(list(body.bots), body.mastodon_instances)
    planned = len(agents) * len(body.methods)
    if planned > unfurl.MAX_REQUESTS:
        raise HTTPException(422, f"{planned} requests planned; at most {unfurl.MAX_REQUESTS}")

    async def run() -> list[dict[str, Any]]:
        results = await unfurl.burst(
            body.url, list(body.bots), body.mastodon_instances, list(body.methods), body.spread_s
        )
        with state.lock:
            state.unfurls.append({"url": body.url, "at": iso(state.now()), "requests": results})
        return results

    if body.wait:
        results = await run()
        return JSONResponse({"count": len(results), "requests": results})
    task = asyncio.create_task(run())
    _background.add(task)
    task.add_done_callback(_background.discard)
    return JSONResponse({"accepted": planned}, status_code=202)


@router.get("/unfurls")
async def unfurls(request: Request) -> list[dict[str, Any]]:
    state = sandbox_state(request)
    with state.lock:
        return list(state.unfurls)
