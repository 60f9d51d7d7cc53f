"""Connecting social accounts through the real OAuth flow (PKCE) against the social sandbox,
with the real PostgreSQL and Kafka: tokens sealed and never shown, the state single use and
expiring, listing, disconnecting (revoked at the network), another tenant's ids, X refresh
rotation, LinkedIn expiry announcements."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from resonance.common.events.catalogue import AmbassadorEnrolled, AmbassadorProfile
from resonance.common.events.envelope import Envelope
from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.sandbox.config import DEMO_ACCOUNTS, account_id
from resonance.devstack.testing import Infra, RunningService, running_service
from resonance.devstack.testkit import applied, of_type, read_events
from resonance.sharing.service import connections, tokens
from resonance.sharing.service.expiry import announce_expiring
from resonance.sharing.service.networks import networks_of

from .connect_kit import ambassador, connect, connection_row, consent
from .share_kit import emit_at, new_id

TENANT = "conn"
ADAM = next(a for a in DEMO_ACCOUNTS if a.username == "adam")


@pytest.fixture(scope="module")
async def svc(infra: Infra, sandbox_server: RunningSandbox) -> AsyncIterator[RunningService]:
    async with running_service(infra, "sharing", **sharing_settings(sandbox_server.url)) as svc:
        yield svc


def _secrets_of(svc: RunningService, row: object) -> list[str]:
    box = networks_of(svc.runtime).secrets
    sealed = [getattr(row, "access_token_sealed", None), getattr(row, "refresh_token_sealed", None)]
    return [box.open(s) for s in sealed if s]


@pytest.mark.parametrize("network", ["linkedin", "x", "mastodon"])
async def test_connect_through_the_consent_page(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox, network: str
) -> None:
    me = ambassador(infra, TENANT, f"adam-{network}")
    answer = await connect(svc, network, me)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # The sandbox's demo account "adam": its id and its audience on that network.
    assert body["network_user_id"] == account_id(network, "adam")  # type: ignore[arg-type]
    assert body["audience_size"] == ADAM.followers[network]  # type: ignore[index]
    assert body["status"] == "connected"

    row = await connection_row(svc, body["id"])
    plain = _secrets_of(svc, row)
    # X gives a refresh token (offline.access); LinkedIn and Mastodon only an access token.
    assert len(plain) == (2 if network == "x" else 1)
    assert all(p not in (row.access_token_sealed or "") for p in plain)  # stored sealed
    listed = await svc.client.get("/v1/connections", headers=me)
    events = await read_events(
        infra,
        svc.settings.topic_prefix,
        "connection",
        of_type("connection.connected", connection_id=body["id"]),
    )
    for text in (answer.text, listed.text, *(e.model_dump_json() for e in events)):
        assert all(p not in text for p in plain), "a token leaked"
    [event] = [e for e in events if e.data["connection_id"] == body["id"]]
    assert event.data["audience_size"] == ADAM.followers[network]  # type: ignore[index]


async def test_an_account_connected_before_the_enrolment_arrives_is_kept(
    infra: Infra, svc: RunningService
) -> None:
    """The ambassadors service's event can reach us after the person has connected (their
    first login races the HR sync): the connection, made under their login subject, moves to
    their ambassador id, where their shares look for it."""
    subject, ambassador_id = f"early-{uuid.uuid4().hex[:8]}", new_id()
    me = ambassador(infra, TENANT, subject)
    connected = (await connect(svc, "mastodon", me)).json()
    enrolled = await emit_at(
        infra,
        svc.settings.topic_prefix,
        TENANT,
        AmbassadorEnrolled(
            ambassador_id=ambassador_id,
            programme_id="prog-1",
            charter_version="1",
            networks=["mastodon"],
            profile=AmbassadorProfile(timezone="UTC"),
            login_subject=subject,
        ),
    )
    await applied(svc, enrolled)
    listed = (await svc.client.get("/v1/connections", headers=me)).json()["items"]
    assert [c["id"] for c in listed] == [connected["id"]]
    assert (await connection_row(svc, connected["id"])).ambassador_id == ambassador_id


async def test_an_enrolment_arriving_while_the_network_answers_the_callback_is_kept(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    """The narrower race: the callback read its state (naming the login subject) before the
    enrolment arrived, and the enrolment is applied while the network trades the code. The
    connection is stored under the ambassador id all the same."""
    subject, ambassador_id = f"racer-{uuid.uuid4().hex[:8]}", new_id()
    me = ambassador(infra, TENANT, subject)
    started = await svc.client.post("/v1/connections/mastodon/authorize", headers=me)
    async with httpx.AsyncClient(follow_redirects=False) as browser:
        back = urlsplit(await consent(browser, started.json()["authorization_url"]))
    async with httpx.AsyncClient() as control:
        slow = {"network": "mastodon", "op": "token", "seconds": 3}
        assert (await control.put(f"{sandbox.url}/_control/latency", json=slow)).is_success
    callback = asyncio.create_task(svc.client.get(f"{back.path}?{back.query}"))
    await asyncio.sleep(0.5)  # the state is read; the token request is waiting at the network
    enrolled = await emit_at(
        infra,
        svc.settings.topic_prefix,
        TENANT,
        AmbassadorEnrolled(
            ambassador_id=ambassador_id,
            programme_id="prog-1",
            charter_version="1",
            networks=["mastodon"],
            profile=AmbassadorProfile(timezone="UTC"),
            login_subject=subject,
        ),
    )
    await applied(svc, enrolled)
    assert not callback.done(), "the enrolment was meant to arrive during the token request"
    answer = await callback
    assert answer.status_code == 200, answer.text
    assert (await connection_row(svc, answer.json()["id"])).ambassador_id == ambassador_id


async def test_state_is_single_use_and_expires(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    me = ambassador(infra, TENANT, "state-user")
    started = await svc.client.post("/v1/connections/mastodon/authorize", headers=me)
    url = started.json()["authorization_url"]
    async with httpx.AsyncClient() as browser:
        back = await consent(browser, url)
    path = back.split("127.0.0.1:9", 1)[1]
    first = await svc.client.get(path)
    assert first.status_code == 200, first.text
    again = await svc.client.get(path)
    assert again.status_code == 422
    assert again.json()["type"].endswith("/authorization-state-used")

    forged = await svc.client.get("/v1/connections/mastodon/callback?code=x&state=not-a-state")
    assert forged.json()["type"].endswith("/authorization-state-unknown")

    # Ten minutes and one second later the state is void, even unused.
    started = await svc.client.post("/v1/connections/x/authorize", headers=me)
    async with httpx.AsyncClient() as browser:
        back = await consent(browser, started.json()["authorization_url"])
    real_clock = svc.runtime.clock
    svc.runtime.clock = lambda: real_clock() + timedelta(minutes=10, seconds=1)
    try:
        late = await svc.client.get(back.split("127.0.0.1:9", 1)[1])
    finally:
        svc.runtime.clock = real_clock
    assert late.json()["type"].endswith("/authorization-expired")


async def test_share_intent_networks_need_no_connection(infra: Infra, svc: RunningService) -> None:
    me = ambassador(infra, TENANT, "intent-user")
    for network in ("facebook", "instagram", "whatsapp", "xing"):
        answer = await svc.client.post(f"/v1/connections/{network}/authorize", headers=me)
        assert answer.status_code == 422
        assert answer.json()["type"].endswith("/network-needs-no-connection")
    unknown = await svc.client.post("/v1/connections/myspace/authorize", headers=me)
    assert unknown.json()["type"].endswith("/unknown-network")
    anonymous = await svc.client.post("/v1/connections/x/authorize")
    assert anonymous.status_code == 401


async def test_disconnect_revokes_and_other_tenants_get_404(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    me = ambassador(infra, TENANT, "leaver")
    connected = (await connect(svc, "x", me)).json()
    [access, _refresh] = _secrets_of(svc, await connection_row(svc, connected["id"]))

    stranger = ambassador(infra, "other-tenant", "leaver")  # same subject, other tenant
    colleague = ambassador(infra, TENANT, "colleague")
    for who in (stranger, colleague):
        refused = await svc.client.delete(f"/v1/connections/{connected['id']}", headers=who)
        assert refused.status_code == 404
        assert (await svc.client.get("/v1/connections", headers=who)).json()["items"] == []

    done = await svc.client.delete(f"/v1/connections/{connected['id']}", headers=me)
    assert done.status_code == 204
    assert (await svc.client.get("/v1/connections", headers=me)).json()["items"] == []
    row = await connection_row(svc, connected["id"])
    assert (row.status, row.access_token_sealed, row.refresh_token_sealed) == (
        "disconnected",
        None,
        None,
    )
    # Revoked at the network: the old token no longer opens the account.
    async with httpx.AsyncClient() as http:
        me_at_x = await http.get(
            f"{sandbox.url}/x/2/users/me", headers={"Authorization": f"Bearer {access}"}
        )
    assert me_at_x.status_code == 401
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "connection",
        of_type("connection.disconnected", connection_id=connected["id"]),
    )
    gone = await svc.client.delete(f"/v1/connections/{connected['id']}", headers=me)
    assert gone.status_code == 404


async def test_x_refresh_rotates_once_under_concurrency(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    me = ambassador(infra, TENANT, "refresher")
    connected = (await connect(svc, "x", me)).json()
    before = await connection_row(svc, connected["id"])
    [old_access, old_refresh] = _secrets_of(svc, before)
    nets = networks_of(svc.runtime)

    # Two hours on (X access tokens last 2 h): both callers need a refresh at once. With
    # single-use refresh tokens a second refresh with the old one would kill the grant; the
    # row lock makes the second caller find the first one's tokens.
    real_clock = svc.runtime.clock
    svc.runtime.clock = lambda: real_clock() + timedelta(hours=2)
    try:
        first, second = await asyncio.gather(
            tokens.credentials(svc.runtime, nets, connected["id"]),
            tokens.credentials(svc.runtime, nets, connected["id"]),
        )
    finally:
        svc.runtime.clock = real_clock
    assert first.access_token == second.access_token != old_access
    after = await connection_row(svc, connected["id"])
    [new_access, new_refresh] = _secrets_of(svc, after)
    assert (new_access, after.status) == (first.access_token, "connected")
    assert new_refresh != old_refresh
    # A new 2-hour lifetime (counted by the network, in real time, from the refresh).
    assert after.expires_at is not None
    assert abs(after.expires_at - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=1)

    async with httpx.AsyncClient() as http:
        works = await http.get(
            f"{sandbox.url}/x/2/users/me", headers={"Authorization": f"Bearer {new_access}"}
        )
        # The old refresh token was used once: X refuses it from now on.
        reused = await http.post(
            f"{sandbox.url}/x/2/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": old_refresh},
            auth=("resonance-x", "resonance-x-secret"),
        )
    assert works.status_code == 200
    assert reused.status_code == 400


async def test_refused_refresh_asks_to_reconnect(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    me = ambassador(infra, TENANT, "revoked")
    connected = (await connect(svc, "x", me)).json()
    async with httpx.AsyncClient() as http:
        await http.post(f"{sandbox.url}/_control/revoke", json={"network": "x", "username": "adam"})
    real_clock = svc.runtime.clock
    svc.runtime.clock = lambda: real_clock() + timedelta(hours=2)
    try:
        with pytest.raises(tokens.ReauthRequired):
            await tokens.credentials(svc.runtime, networks_of(svc.runtime), connected["id"])
    finally:
        svc.runtime.clock = real_clock
    listed = (await svc.client.get("/v1/connections", headers=me)).json()["items"]
    assert [c["status"] for c in listed] == ["reauth_required"]
    await read_events(
        infra,
        svc.settings.topic_prefix,
        "connection",
        of_type("connection.reauth_required", connection_id=connected["id"]),
    )


async def test_linkedin_expiry_is_announced_once_per_threshold(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    me = ambassador(infra, TENANT, "expiring")
    connected = (await connect(svc, "linkedin", me)).json()
    real_clock = svc.runtime.clock

    async def announce_at(days: float) -> None:
        svc.runtime.clock = lambda: real_clock() + timedelta(days=days)
        try:
            async with svc.runtime.unit_of_work() as uow:
                await announce_expiring(uow)
        finally:
            svc.runtime.clock = real_clock

    # LinkedIn tokens last 60 days; warnings at 7 and 1 day(s) before (settings default).
    await announce_at(50)  # 10 days left: nothing yet
    await announce_at(54)  # 6 days left: the 7-day warning
    await announce_at(55)  # still 5 days: not again
    await announce_at(59.5)  # half a day left: the 1-day warning

    def mine(events: list[Envelope]) -> list[Envelope]:
        return [
            e
            for e in events
            if e.type == "connection.expiring" and e.data["connection_id"] == connected["id"]
        ]

    prefix = svc.settings.topic_prefix
    await read_events(infra, prefix, "connection", lambda events: len(mine(events)) >= 2)
    await asyncio.sleep(1)  # time for a (wrong) third announcement to reach the topic
    events = await read_events(infra, prefix, "connection", lambda events: len(mine(events)) >= 2)
    assert len(mine(events)) == 2
    row = await connection_row(svc, connected["id"])
    assert sorted(row.expiry_announced) == [1, 7]


async def test_callback_sends_the_browser_back_to_the_app(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    me = ambassador(infra, TENANT, "browser-user")
    settings = svc.runtime.settings
    settings.connected_redirect_url = "https://app.test/connections"
    try:
        answer = await connect(svc, "x", me)
        forged = await svc.client.get("/v1/connections/x/callback?code=c&state=forged-state")
    finally:
        settings.connected_redirect_url = ""
    assert answer.status_code == 303
    back = urlsplit(answer.headers["location"])
    query = dict(parse_qsl(back.query))
    assert (back.netloc, back.path) == ("app.test", "/connections")
    assert (query["network"], query["status"]) == ("x", "connected")
    row = await connection_row(svc, query["connection"])
    assert row.network == "x" and row.status == "connected"
    assert forged.status_code == 303
    assert "error=authorization-state-unknown" in forged.headers["location"]


async def test_erasure_revokes_and_forgets_the_account(
    infra: Infra, svc: RunningService, sandbox: RunningSandbox
) -> None:
    me = ambassador(infra, TENANT, "to-be-erased")
    connected = (await connect(svc, "mastodon", me)).json()
    before = await connection_row(svc, connected["id"])
    [access] = _secrets_of(svc, before)
    async with svc.runtime.unit_of_work() as uow:
        erased = await connections.erase(
            uow, networks_of(svc.runtime), TENANT, before.ambassador_id
        )
    assert erased == 1
    row = await connection_row(svc, connected["id"])
    assert (row.access_token_sealed, row.display_name, row.audience_size) == (None, None, None)
    assert (row.status, row.network_user_id) == ("disconnected", "erased")
    async with httpx.AsyncClient() as http:
        check = await http.get(
            f"{sandbox.url}/mastodon/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {access}"},
        )
    assert check.status_code == 401
