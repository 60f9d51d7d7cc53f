"""Ambassadors as a real tenant gets them: HR provisions each person through SCIM, an admin
links their sign-in identity, they set their working days and time zone, accept the
programme's invitation with the networks they consent to, connect a network (a sandbox
token sealed into a connection row, as the OAuth flow leaves it: the flow itself is tested
in services/sharing) and, for some, opt in to campaign auto-share.

Who does what is a pure function of the index (`role_of`), so a run is reproducible."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg
import httpx

from campaign_kit.stack import CampaignStack

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
Role = Literal["auto", "manual", "idle", "unconnected"]


@dataclass(frozen=True)
class Ambassador:
    index: int
    role: Role
    network: str
    subject: str
    ambassador_id: str = ""


def role_of(index: int) -> tuple[Role, str]:
    """Of every ten people: six opt in to auto-share, two share by hand during the campaign,
    one is connected but idle, one never connects (90 % connected). Networks alternate
    between Mastodon and LinkedIn (X's two-hour tokens would need refreshing mid-bench)."""
    slot = index % 10
    role: Role = (
        "auto" if slot < 6 else "manual" if slot < 8 else "idle" if slot < 9 else "unconnected"
    )
    return role, "mastodon" if index % 2 == 0 else "linkedin"


def working_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now: the default working hours (09-18)
    then hold for hours whatever time the run starts (Etc/GMT signs are inverted)."""
    offset = max(-12, min(14, 12 - now.astimezone(UTC).hour))
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


async def _call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    ok: tuple[int, ...],
    within_s: float = 60,
    **kwargs: Any,
) -> httpx.Response:
    """One API call, retried on connection errors and 5xx (a restarting service) and on
    404/403 while another service's projection catches up; idempotent calls only."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            response = await http.request(method, url, **kwargs)
            if response.status_code in ok:
                return response
            problem = f"{response.status_code} {response.text[:300]}"
        except httpx.HTTPError as exc:
            problem = repr(exc)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{method} {url}: {problem}")
        await asyncio.sleep(0.2)


async def create_programme(stack: CampaignStack) -> str:
    async with httpx.AsyncClient(base_url=stack.api("ambassadors"), timeout=30) as http:
        r = await _call(
            http,
            "POST",
            "/v1/programmes",
            (201,),
            json={
                "display_name": "Campaign day",
                "kind": "sharing_platform",
                "onboarding_delay_hours": 0,
            },
            headers=stack.auth(["program_manager"]),
        )
        return str(r.json()["id"])


async def _enrol(stack: CampaignStack, http: httpx.AsyncClient, person: Ambassador) -> Ambassador:
    hr = stack.auth(["integration"]) | {"Content-Type": "application/scim+json"}
    created = await _call(
        http,
        "POST",
        "/scim/v2/Users",
        (201, 409),
        json={
            "schemas": [CORE],
            "userName": f"amb{person.index}@campaign.example",
            "externalId": f"hr-{person.index}",
            "addresses": [{"type": "work", "country": "FR"}],
        },
        headers=hr,
    )
    if created.status_code == 409:  # a retry after the first answer was lost
        found = await _call(
            http,
            "GET",
            "/scim/v2/Users",
            (200,),
            params={"filter": f'userName eq "amb{person.index}@campaign.example"'},
            headers=hr,
        )
        ambassador_id = str(found.json()["Resources"][0]["id"])
    else:
        ambassador_id = str(created.json()["id"])
    admin = stack.auth(["admin"])
    await _call(
        http,
        "PUT",
        f"/v1/ambassadors/{ambassador_id}/login-subject",
        (200,),
        json={"subject": person.subject},
        headers=admin,
    )
    me = stack.auth(["ambassador"], person.subject)
    await _call(
        http,
        "PATCH",
        "/v1/ambassadors/me/preferences",
        (200,),
        json={"timezone": working_zone(datetime.now(UTC)), "working_days": [1, 2, 3, 4, 5, 6, 7]},
        headers=me,
    )
    deadline = time.monotonic() + 60
    while True:
        r = await _call(http, "GET", "/v1/ambassadors/me/invitations", (200,), headers=me)
        body = r.json()
        listed = body["items"] if isinstance(body, dict) else body  # paged or a plain list
        sent = [i for i in listed if i["status"] == "sent"]
        if sent:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"no invitation for ambassador {person.index}")
        await asyncio.sleep(0.2)
    await _call(
        http,
        "POST",
        f"/v1/ambassadors/me/invitations/{sent[0]['id']}/accept",
        (201,),
        json={"charter_version": "1", "networks": [person.network]},
        headers=me,
    )
    return Ambassador(person.index, person.role, person.network, person.subject, ambassador_id)


async def provision(stack: CampaignStack, count: int, concurrency: int = 16) -> list[Ambassador]:
    """`count` people through SCIM to enrolment, `concurrency` at a time."""
    await create_programme(stack)
    people = [
        Ambassador(i, *role_of(i), subject=f"login-{i}-{uuid.uuid4().hex[:6]}")
        for i in range(count)
    ]
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=stack.api("ambassadors"), timeout=30, limits=limits
    ) as http:

        async def one(person: Ambassador) -> Ambassador:
            async with gate:
                return await _enrol(stack, http, person)

        return list(await asyncio.gather(*(one(p) for p in people)))


async def connect(stack: CampaignStack, people: list[Ambassador]) -> None:
    """A sandbox token per connected person, sealed into their connection row."""
    connected = [p for p in people if p.role != "unconnected"]
    rows = []
    async with httpx.AsyncClient(base_url=stack.sandbox, timeout=30) as http:
        for person in connected:
            r = await http.post(
                "/_control/tokens",
                json={"network": person.network, "username": f"amb{person.index}"},
            )
            r.raise_for_status()
            body = r.json()
            rows.append(
                (
                    str(uuid.uuid4()),
                    stack.tenant,
                    person.ambassador_id,
                    person.network,
                    str(body["account_id"]),
                    body["username"],
                    stack.box.seal(body["access_token"]),
                )
            )
    db = await asyncpg.connect(stack.pg.dsn("campaign_sharing"))
    try:
        await db.executemany(
            "INSERT INTO connections (id, tenant, ambassador_id, network, network_user_id, "
            "username, access_token_sealed, status, scopes, expiry_announced, connected_at, "
            "updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 'connected', '[]', '[]', "
            "now(), now(), 1)",
            rows,
        )
    finally:
        await db.close()


async def opt_in(stack: CampaignStack, people: list[Ambassador], concurrency: int = 16) -> None:
    """PUT /v1/autoshare/{network} for every `auto` person, once sharing has projected their
    enrolment (403/404 until then)."""
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=stack.api("sharing"), timeout=30) as http:

        async def one(person: Ambassador) -> None:
            async with gate:
                await _call(
                    http,
                    "PUT",
                    f"/v1/autoshare/{person.network}",
                    (200,),
                    within_s=120,
                    headers=stack.auth(["ambassador"], person.subject),
                )

        await asyncio.gather(*(one(p) for p in people if p.role == "auto"))
