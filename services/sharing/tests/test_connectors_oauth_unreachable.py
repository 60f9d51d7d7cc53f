"""A network whose OAuth endpoints cannot be reached: revocation gives up quietly (an erasure
must not wait on the network) and token calls fail as `Unavailable` (retried later), whichever
HTTP library authlib runs on."""

import socket

import pytest

from resonance.sharing.connectors import oauth
from resonance.sharing.connectors.base import Unavailable


def _closed_port() -> int:
    # Bound then released: nothing listens there, so a connection is refused at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _app() -> oauth.OAuthApp:
    base = f"http://127.0.0.1:{_closed_port()}"
    return oauth.OAuthApp(
        authorize_url=f"{base}/authorize",
        token_url=f"{base}/token",
        revoke_url=f"{base}/revoke",
        client_id="app",
        client_secret="secret",
        timeout_s=2.0,
    )


async def test_revoking_at_an_unreachable_network_answers_false() -> None:
    assert await oauth.revoke(_app(), "token") is False


async def test_exchanging_a_code_at_an_unreachable_network_is_unavailable() -> None:
    with pytest.raises(Unavailable, match="unreachable"):
        await oauth.exchange_code(_app(), "code", "v" * 43, "http://127.0.0.1/callback")


async def test_refreshing_at_an_unreachable_network_is_unavailable() -> None:
    with pytest.raises(Unavailable, match="unreachable"):
        await oauth.refresh(_app(), "refresh")
