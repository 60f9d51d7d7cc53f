"""Demo ambassadors join the programme and connect their accounts at the social sandbox, the
way a person does it in the app: accept the invitation (with consent to the networks), then
per network the sharing service's OAuth flow with the browser's part done over HTTP (open the
consent page, click Allow, follow the redirect back to the sharing callback)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import httpx

from resonance.devstack.demo_env import DemoEnv, DemoStepFailed, expect, rows, until
from resonance.devstack.demo_identities import DEMO_USERS

NETWORKS = ("linkedin", "x", "mastodon")
# The sharing service knows nothing with this id: a share of it is refused as not enrolled
# until the enrolment reaches the service, then as content not found. Nothing is created.
NO_SUCH_ITEM = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class DemoPerson:
    username: str  # demo login (demo_identities.py) and sandbox account
    scim_user_name: str  # their HR record (ambassadors' devtools seed)
    name: str
    followers: dict[str, int]  # audience at the sandbox per network; {}: the sandbox's own
    connect: tuple[str, ...] = NETWORKS


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("adam", "adam.ambassador@acme.example", "Adam Ambassador", {}),
    DemoPerson(
        "hugo",
        "hugo.bernard@acme.example",
        "Hugo Bernard",
        {"linkedin": 2_300, "x": 150, "mastodon": 40},
    ),
    DemoPerson(
        "jonas",
        "jonas.weber@acme.example",
        "Jonas Weber",
        {"linkedin": 1_500, "x": 800, "mastodon": 300},
    ),
    DemoPerson(
        "sofia",
        "sofia.rossi@acme.example",
        "Sofia Rossi",
        {"linkedin": 300, "x": 40, "mastodon": 120},
    ),
    # Léa's Mastodon is left for the README's walk through the browser flow.
    DemoPerson(
        "lea",
        "lea.martin@acme.example",
        "Léa Martin",
        {"linkedin": 900, "x": 210, "mastodon": 60},
        connect=("linkedin", "x"),
    ),
)


async def link_logins(env: DemoEnv) -> dict[str, str]:
    """Links each demo person's HR record to their login subject; their ambassador ids."""
    hr = await env.machine("hr-connector")
    admin = await env.login("alice")
    amb = env.api("ambassadors")
    ids: dict[str, str] = {}
    for person in PEOPLE:
        found = expect(
            await amb.get(
                "/scim/v2/Users",
                params={"filter": f'userName eq "{person.scim_user_name}"'},
                headers=hr,
            ),
            200,
        )
        if not found.get("Resources"):
            raise DemoStepFailed(f"no HR record {person.scim_user_name}")
        ambassador_id = str(found["Resources"][0]["id"])
        expect(
            await amb.put(
                f"/v1/ambassadors/{ambassador_id}/login-subject",
                json={"subject": str(DEMO_USERS[person.username]["sub"])},
                headers=admin,
            ),
            200,
        )
        ids[person.username] = ambassador_id
    return ids


async def enrol(env: DemoEnv, person: DemoPerson, timeout: float) -> bool:  # noqa: ASYNC109
    """Accepts the sharing programme's invitation with consent to every network; False if
    they were enrolled already (an earlier run)."""
    me = await env.login(person.username)
    amb = env.api("ambassadors")
    enrolments = rows(expect(await amb.get("/v1/ambassadors/me/enrolments", headers=me), 200))
    if any(e.get("status") == "active" for e in enrolments):
        return False

    async def invitation() -> dict[str, str] | None:
        listed = rows(expect(await amb.get("/v1/ambassadors/me/invitations", headers=me), 200))
        open_ = [
            i
            for i in listed
            if i["status"] == "sent" and i.get("programme_kind") == "sharing_platform"
        ]
        return open_[0] if open_ else None

    # Invitations go out from a periodic job (every few seconds in the local stack).
    found = await until(invitation, timeout, interval=0.3)
    if found is None:
        raise DemoStepFailed(f"{person.username}: no invitation to the sharing programme")
    expect(
        await amb.post(
            f"/v1/ambassadors/me/invitations/{found['id']}/accept",
            json={"charter_version": found["charter_version"], "networks": list(NETWORKS)},
            headers=me,
        ),
        201,
    )
    return True


async def sharing_knows(env: DemoEnv, username: str, timeout: float) -> bool:  # noqa: ASYNC109
    """Waits until the sharing service has the person's enrolment (from Kafka)."""
    me = await env.login(username)
    sharing = env.api("sharing")

    async def enrolled() -> bool:
        answer = await sharing.post(
            "/v1/shares", json={"content_id": NO_SUCH_ITEM, "networks": ["linkedin"]}, headers=me
        )
        return answer.status_code == 404

    return bool(await until(enrolled, timeout, interval=0.3))


async def prepare_sandbox_accounts(env: DemoEnv) -> None:
    """Gives the demo people their audience at the sandbox (its control API)."""
    for person in PEOPLE:
        for network, followers in person.followers.items():
            expect(
                await env.web.put(
                    f"{env.sandbox_url}/_control/accounts/{network}/{person.username}",
                    json={
                        "name": person.name,
                        "email": f"{person.username}@acme.example",
                        "followers": followers,
                    },
                ),
                200,
            )


async def connect(
    env: DemoEnv, browser: httpx.AsyncClient, person: DemoPerson, network: str
) -> dict[str, str]:
    """The sharing service's OAuth flow for one network, as `person`'s browser would do it
    (clear its cookies between people: LinkedIn remembers who signed in with one)."""
    me = await env.login(person.username)
    sharing = env.api("sharing")
    started = expect(await sharing.post(f"/v1/connections/{network}/authorize", headers=me), 200)
    url = str(started["authorization_url"])
    expect(await browser.get(url), 200)  # the consent page
    form = dict(parse_qsl(urlsplit(url).query))
    answer = await browser.post(
        url.split("?", 1)[0], data={**form, "username": person.username, "decision": "allow"}
    )
    if answer.status_code != 302:
        raise DemoStepFailed(f"{network} consent answered {answer.status_code}")
    back = urlsplit(answer.headers["location"])
    # The network sends the browser to the sharing callback with code and state.
    connection: dict[str, str] = expect(await sharing.get(f"{back.path}?{back.query}"), 200)
    return connection
