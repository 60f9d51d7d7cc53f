"""Demo data for the local stack, created through the public HTTP API only.

    python -m resonance.ambassadors.devtools.seed --base-url http://127.0.0.1:8002 \
        --integration-token "$HR_TOKEN" --admin-token "$ADMIN_TOKEN"

Safe to run twice: programmes are matched by name and people by userName.
"""

import argparse
import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

PROGRAMMES: list[dict[str, Any]] = [
    {
        "display_name": "Digital Leaders",
        "kind": "sharing_platform",
        "description": "Share Acme news and industry insight with your network, in your own words.",
        "audience": {"countries": ["FR", "BE", "DE"]},
        "charter_version": "2026-01",
        # Invite at once (not after the default week of onboarding), so the demo people
        # provisioned below can accept and share as soon as `make run` is up.
        "onboarding_delay_hours": 0,
    },
    {
        "display_name": "LinkedIn Masterclass",
        "kind": "training_workshop",
        "audience": {"social_media_maturities": [], "worker_types": ["office"]},
        "capacity": 40,
    },
    {
        "display_name": "Frontline Voices",
        "kind": "individual_coaching",
        "audience": {"worker_types": ["frontline"]},
        "capacity": 10,
    },
    {
        "display_name": "VIP Influencers",
        "kind": "vip_cohort",
        "description": "A yearly cohort of nominated voices.",
        "invite_joiners": False,
    },
]

# name, department (job family), division (brand), site, country, language, user type
PEOPLE: list[tuple[str, str, str, str, str, str, str, str]] = [
    ("Léa", "Martin", "Engineering", "Acme Cloud", "Lyon", "FR", "fr-FR", "office"),
    ("Hugo", "Bernard", "Sales", "Acme Cloud", "Paris", "FR", "fr-FR", "office"),
    ("Chloé", "Dubois", "Marketing", "Acme Retail", "Paris", "FR", "fr-FR", "office"),
    ("Karim", "Benali", "Logistics", "Acme Retail", "Lyon", "FR", "fr-FR", "frontline"),
    ("Sofia", "Rossi", "Logistics", "Acme Retail", "Brussels", "BE", "fr-BE", "frontline"),
    ("Jonas", "Weber", "Engineering", "Acme Cloud", "Berlin", "DE", "de-DE", "office"),
    ("Mia", "Schneider", "HR", "Acme Cloud", "Berlin", "DE", "de-DE", "office"),
    ("Lucas", "Peeters", "Sales", "Acme Retail", "Antwerp", "BE", "nl-BE", "office"),
    ("Emma", "Janssens", "Stores", "Acme Retail", "Ghent", "BE", "nl-BE", "frontline"),
    ("Noah", "Lefèvre", "Finance", "Acme Cloud", "Paris", "FR", "fr-FR", "office"),
    ("Inès", "Moreau", "Stores", "Acme Retail", "Marseille", "FR", "fr-FR", "frontline"),
    ("Adam", "Ambassador", "Marketing", "Acme Cloud", "Paris", "FR", "en-GB", "office"),
]
JOINER = ("Nadia", "Haddad", "Stores", "Acme Retail", "Lille", "FR", "fr-FR", "frontline")


def scim_user(tenant: str, number: int, person: tuple[str, ...]) -> dict[str, Any]:
    given, family, department, division, site, country, language, user_type = person
    user_name = f"{_ascii(given)}.{_ascii(family)}@{tenant}.example".lower()
    user: dict[str, Any] = {
        "schemas": [CORE, ENT],
        "userName": user_name,
        "externalId": f"hr-{number:05d}",
        "active": True,
        "name": {"givenName": given, "familyName": family},
        "displayName": f"{given} {family}",
        "preferredLanguage": language,
        "userType": user_type,
        "addresses": [{"type": "work", "locality": site, "country": country}],
        ENT: {
            "employeeNumber": f"{number:05d}",
            "department": department,
            "division": division,
            "organization": f"Acme {country}",
        },
    }
    # Frontline staff often have no corporate mailbox: they are first-class anyway.
    if user_type == "office":
        user["emails"] = [{"value": user_name, "type": "work", "primary": True}]
    return user


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


async def _ok(response: httpx.Response, *accepted: int) -> dict[str, Any]:
    if response.status_code not in (accepted or (200, 201)):
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} → {response.status_code}: {response.text[:300]}"
        )
    body: dict[str, Any] = response.json() if response.content else {}
    return body


async def _every(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    """Every item of a /v1 list, page after page (`next_cursor`)."""
    items: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": 200}
    while True:
        page = await _ok(await client.get(path, params=params, headers=headers))
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params["cursor"] = page["next_cursor"]


async def _tenant(client: httpx.AsyncClient, admin: dict[str, str]) -> str:
    status = await _ok(await client.get("/v1/hr/webhook-secret", headers=admin))
    return str(status["tenant"])


async def _programmes(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> dict[str, dict[str, Any]]:
    by_name = {p["display_name"]: p for p in await _every(client, "/v1/programmes", admin)}
    for spec in PROGRAMMES:
        if spec["display_name"] not in by_name:
            by_name[spec["display_name"]] = await _ok(
                await client.post("/v1/programmes", json=spec, headers=admin)
            )
    return by_name


async def _provision(
    client: httpx.AsyncClient, hr: dict[str, str], user: dict[str, Any]
) -> dict[str, Any]:
    found = await _ok(
        await client.get(
            "/scim/v2/Users", params={"filter": f'userName eq "{user["userName"]}"'}, headers=hr
        )
    )
    if found.get("Resources"):
        return dict(found["Resources"][0])
    return await _ok(await client.post("/scim/v2/Users", json=user, headers=hr), 201)


async def seed_demo(
    base_url: str,
    integration_token: str,
    admin_token: str,
    *,
    ambassador_subject: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> dict[str, Any]:
    """Programmes, a VIP cohort with nominations, a dozen employees by SCIM, then a joiner.

    `ambassador_subject` (optional) links the demo ambassador "Adam" to that sign-in `sub`,
    so `/v1/ambassadors/me/...` works for him. Returns what was created.
    """
    owns_client = client is None
    http = client or httpx.AsyncClient(base_url=base_url, timeout=30)
    hr = {"Authorization": f"Bearer {integration_token}"}
    admin = {"Authorization": f"Bearer {admin_token}"}
    try:
        tenant = await _tenant(http, admin)
        programmes = await _programmes(http, admin)
        people = [
            await _provision(http, hr, scim_user(tenant, i + 1, p)) for i, p in enumerate(PEOPLE)
        ]
        log.info("provisioned %d employees of %s through SCIM", len(people), tenant)

        vip = programmes["VIP Influencers"]
        year = datetime.now(UTC).year
        cohorts = await _every(http, f"/v1/programmes/{vip['id']}/cohorts", admin)
        cohort = next((c for c in cohorts if c["name"] == f"VIP {year}"), None)
        if cohort is None:
            cohort = await _ok(
                await http.post(
                    f"/v1/programmes/{vip['id']}/cohorts",
                    json={
                        "name": f"VIP {year}",
                        "starts_on": f"{year}-01-01",
                        "ends_on": f"{year}-12-31",
                    },
                    headers=admin,
                )
            )
        for nominee in (people[0], people[2], people[5]):
            r = await http.post(
                f"/v1/cohorts/{cohort['id']}/nominations",
                json={"ambassador_id": nominee["id"], "note": "Demo nomination"},
                headers=admin,
            )
            await _ok(r, 201, 409)  # 409: already nominated on an earlier run
        for programme in (programmes["Digital Leaders"], programmes["Frontline Voices"]):
            await _ok(
                await http.post(f"/v1/programmes/{programme['id']}/invite-audience", headers=admin)
            )

        adam = people[-1]
        if ambassador_subject:
            await _ok(
                await http.put(
                    f"/v1/ambassadors/{adam['id']}/login-subject",
                    json={"subject": ambassador_subject},
                    headers=admin,
                )
            )

        # The demo moment: a new frontline hire arrives from the identity provider.
        joiner = await _provision(http, hr, scim_user(tenant, 100, JOINER))
        log.info(
            "joiner %s arrived through SCIM; invitations follow the onboarding delay", joiner["id"]
        )
        return {
            "tenant": tenant,
            "programmes": {name: p["id"] for name, p in programmes.items()},
            "vip_cohort_id": cohort["id"],
            "employees": [p["id"] for p in people],
            "joiner_id": joiner["id"],
            "ambassador_id": adam["id"],
        }
    finally:
        if owns_client:
            await http.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--integration-token", required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--ambassador-subject")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    result = asyncio.run(
        seed_demo(
            args.base_url,
            args.integration_token,
            args.admin_token,
            ambassador_subject=args.ambassador_subject,
        )
    )
    print(result)


if __name__ == "__main__":
    main()
