"""The whole connect flow in a real headless Chromium (Debian's `chromium`, installed by
`make deps`), driven over the DevTools protocol by Playwright (its driver ships in the wheel;
no browser is downloaded): the ambassador's app asks for an authorization URL, the browser
opens the sandbox's consent page, a person types their name and clicks Allow, the network
sends the browser back to the sharing service's callback (served on a real loopback port),
and the connection is listed; no token appears in any URL the browser visited, any page it
showed, the list or the `connection.connected` event."""

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from resonance.devstack.sandbox.client import RunningSandbox, sharing_settings
from resonance.devstack.sandbox.config import account_id
from resonance.devstack.testing import Infra, free_port, running_service
from resonance.devstack.testkit import of_type, read_events
from resonance.sharing.service.networks import networks_of

from .connect_kit import ambassador, connection_row

playwright_api = pytest.importorskip("playwright.async_api")

TENANT = "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (`make deps` installs it)"
)


@asynccontextmanager
async def served(app: FastAPI, port: int) -> AsyncIterator[str]:
    """The already started app on a real port, in this event loop (its pools live here)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "the sharing service did not start serving"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.mark.parametrize(
    ("network", "username"), [("linkedin", "brigit"), ("x", "carla"), ("mastodon", "dmitri")]
)
async def test_connect_by_clicking_allow_in_chromium(
    infra: Infra, sandbox: RunningSandbox, tmp_path: Path, network: str, username: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sharing_settings(sandbox.url, redirect_uri_base=base)
    me = ambassador(infra, TENANT, f"{username}-{network}")
    async with (
        running_service(infra, "sharing", **settings) as svc,
        served(svc.app, port),
        playwright_api.async_playwright() as pw,
    ):
        started = await svc.client.post(f"/v1/connections/{network}/authorize", headers=me)
        assert started.status_code == 200, started.text
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            page = await browser.new_page()
            visited: list[str] = []
            page.on("request", lambda request: visited.append(request.url))
            await page.goto(started.json()["authorization_url"])
            assert await page.title() != "", "the consent page did not render"
            # A name the sandbox does not know yet: it becomes a new account on that network.
            await page.fill("#username", username)
            async with page.expect_navigation(url=f"{base}/v1/connections/{network}/callback*"):
                await page.click("button[value=allow]")
            shown = await page.inner_text("body")
        finally:
            await browser.close()

        # The browser went sandbox → callback on our port, carrying only code and state.
        assert visited[0].startswith(f"{sandbox.url}/{network}/"), visited
        assert any(u.startswith(f"{base}/v1/connections/{network}/callback?") for u in visited)
        listed = await svc.client.get("/v1/connections", headers=me)
        assert listed.status_code == 200, listed.text
        [connection] = listed.json()["items"]
        assert connection["network"] == network
        assert connection["status"] == "connected"
        # The account the person signed in as at the network, not a default one.
        assert connection["network_user_id"] == account_id(network, username)  # type: ignore[arg-type]
        assert connection["id"] in shown  # the callback answered the connection to the browser

        row = await connection_row(svc, connection["id"])
        box = networks_of(svc.runtime).secrets
        tokens = [
            box.open(sealed)
            for sealed in (row.access_token_sealed, row.refresh_token_sealed)
            if sealed
        ]
        assert tokens, "no token was stored"
        events = await read_events(
            infra,
            svc.settings.topic_prefix,
            "connection",
            of_type("connection.connected", connection_id=connection["id"]),
        )
        assert events
        seen = [*visited, shown, listed.text, *(e.model_dump_json() for e in events)]
        for text in seen:
            assert all(token not in text for token in tokens), "a token leaked"
