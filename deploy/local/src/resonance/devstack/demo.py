"""Demo data for `make run`, written through the services' public APIs only (the way a
frontend or an HR connector would), so the seed also proves the stack works end to end."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from typing import TYPE_CHECKING, Any

import httpx

from resonance.devstack.demo_identities import DEMO_CLIENTS, DEMO_PASSWORD, DEMO_USERS

if TYPE_CHECKING:
    from resonance.devstack.stack import DevStack

log = logging.getLogger(__name__)

COMPANY_ITEMS: list[dict[str, Any]] = [
    {
        "family": "company",
        "category": "job_offer",
        "format": "link",
        "title": "We are hiring 40 engineers in Lyon",
        "url": "https://careers.example.com/lyon",
        "language": "en",
        "pinned": True,
        "captions": [
            {
                "network": "linkedin",
                "language": "en",
                "text": "Join my team in Lyon! We are hiring engineers.",
            },
            {
                "network": "x",
                "language": "en",
                "text": "Lyon, we are hiring: 40 engineering roles.",
            },
        ],
    },
    {
        "family": "company",
        "category": "award",
        "format": "text",
        "title": "Acme named Top Employer 2027",
        "body": "For the third year running, Acme is certified Top Employer.",
        "language": "en",
        "must_read": True,
    },
]


async def _token(http: httpx.AsyncClient, issuer: str, **form: str) -> str:
    r = await http.post(f"{issuer}/token", data=form)
    r.raise_for_status()
    return str(r.json()["access_token"])


async def _user_token(http: httpx.AsyncClient, issuer: str, username: str) -> str:
    return await _token(
        http,
        issuer,
        grant_type="password",
        username=username,
        password=DEMO_PASSWORD,
        client_id="resonance-cli",
    )


async def seed_content(http: httpx.AsyncClient, base: str, issuer: str, feed_url: str) -> str:
    paul = {"Authorization": f"Bearer {await _user_token(http, issuer, 'paul')}"}
    chloe = {"Authorization": f"Bearer {await _user_token(http, issuer, 'chloe')}"}
    existing = await http.get(f"{base}/v1/sources", headers=paul)
    if existing.status_code == 200 and existing.json():
        return "content already seeded"
    settings = {
        "blocked_terms": ["guaranteed returns"],
        "disclosure_text": "#employee",
        "mix_target_company": 0.2,
        # The sample news site runs on loopback.
        "allow_private_links": True,
    }
    (await http.put(f"{base}/v1/settings", json=settings, headers=paul)).raise_for_status()
    for item in COMPANY_ITEMS:
        (await http.post(f"{base}/v1/items", json=item, headers=chloe)).raise_for_status()
    source = await http.post(
        f"{base}/v1/sources",
        json={
            "name": "Sample industry news",
            "url": feed_url,
            "family": "market",
            "category": "industry_news",
            "language": "en",
            "auto_approve": True,
            "poll_interval_s": 600,
        },
        headers=paul,
    )
    source.raise_for_status()
    polled = await http.post(f"{base}/v1/sources/{source.json()['id']}/poll", headers=paul)
    polled.raise_for_status()
    result = polled.json()
    return (
        f"content: {len(COMPANY_ITEMS)} company items, a feed source "
        f"({result['created']} entries imported, {result['duplicates']} duplicates skipped)"
    )


async def seed_ambassadors(http: httpx.AsyncClient, base: str, issuer: str) -> str:
    if importlib.util.find_spec("resonance.ambassadors.devtools.seed") is None:
        return "ambassadors: no seed module"
    from resonance.ambassadors.devtools import seed

    client = DEMO_CLIENTS["hr-connector"]
    integration = await _token(
        http,
        issuer,
        grant_type="client_credentials",
        client_id="hr-connector",
        client_secret=str(client["secret"]),
    )
    admin = await _user_token(http, issuer, "alice")
    # Adam, the demo ambassador, signs in with this subject: linking it lets his own calls
    # (invitations, feed) find him in every service.
    outcome = await seed.seed_demo(
        base, integration, admin, ambassador_subject=str(DEMO_USERS["adam"]["sub"])
    )
    if isinstance(outcome, dict):
        return (
            f"ambassadors: {len(outcome.get('programmes', {}))} programmes, "
            f"{len(outcome.get('employees', []))} employees provisioned by SCIM, a VIP cohort, "
            "and a joiner arriving through SCIM (invited, not enrolled)"
        )
    return "ambassadors: demo tenant seeded"


async def seed_all(stack: DevStack) -> list[str]:
    endpoints = stack.endpoints()
    issuer = endpoints["oidc_issuer"]

    def url(name: str) -> str:
        return f"http://127.0.0.1:{endpoints[f'port_{name}']}"

    lines = []
    async with httpx.AsyncClient(timeout=30) as http:
        if "ambassadors" in stack.running:
            lines.append(await seed_ambassadors(http, url("ambassadors"), issuer))
        if "content" in stack.running and "sample-news" in stack.running:
            feed = f"{url('sample-news')}/feed.atom"
            lines.append(await seed_content(http, url("content"), issuer, feed))
    return lines


def seed_hook(stack: DevStack) -> None:
    try:
        for line in asyncio.run(seed_all(stack)):
            print(f"  demo data  {line}", flush=True)
    except httpx.HTTPError as exc:
        # Demo data is a convenience: the platform stays up without it.
        log.warning("demo seeding failed: %s", exc)
