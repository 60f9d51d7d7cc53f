"""The connectors of the networks we post to, built from the settings."""

from __future__ import annotations

import httpx

from resonance.sharing.connectors.base import Connector
from resonance.sharing.connectors.linkedin import LinkedInConnector
from resonance.sharing.connectors.mastodon import MastodonConnector
from resonance.sharing.connectors.oauth import OAuthApp
from resonance.sharing.connectors.x import XConnector
from resonance.sharing.settings import SharingSettings


def _base(url: str) -> str:
    return url.rstrip("/")


def build_connectors(settings: SharingSettings, client: httpx.AsyncClient) -> dict[str, Connector]:
    """One connector per network with a posting API, sharing one HTTP connection pool."""
    s = settings
    timeout = s.network_timeout_s
    linkedin = OAuthApp(
        authorize_url=f"{_base(s.linkedin_auth_url)}/oauth/v2/authorization",
        token_url=f"{_base(s.linkedin_token_url)}/oauth/v2/accessToken",
        revoke_url=f"{_base(s.linkedin_token_url)}/oauth/v2/revoke",
        client_id=s.linkedin_client_id,
        client_secret=s.linkedin_client_secret,
        scopes=s.linkedin_scopes,
        auth_method="client_secret_post",
        timeout_s=timeout,
    )
    x = OAuthApp(
        authorize_url=f"{_base(s.x_auth_url)}/i/oauth2/authorize",
        token_url=f"{_base(s.x_token_url)}/2/oauth2/token",
        revoke_url=f"{_base(s.x_token_url)}/2/oauth2/revoke",
        client_id=s.x_client_id,
        client_secret=s.x_client_secret,
        scopes=s.x_scopes,
        # Confidential clients authenticate with HTTP Basic; public ones by PKCE alone.
        auth_method="client_secret_basic" if s.x_client_secret else "none",
        timeout_s=timeout,
    )
    mastodon = OAuthApp(
        authorize_url=f"{_base(s.mastodon_auth_url)}/oauth/authorize",
        token_url=f"{_base(s.mastodon_token_url)}/oauth/token",
        revoke_url=f"{_base(s.mastodon_token_url)}/oauth/revoke",
        client_id=s.mastodon_client_id,
        client_secret=s.mastodon_client_secret,
        scopes=s.mastodon_scopes,
        auth_method="client_secret_post",
        timeout_s=timeout,
    )
    return {
        "linkedin": LinkedInConnector(linkedin, s.linkedin_api_url, s.linkedin_version, client),
        "x": XConnector(x, s.x_api_url, client),
        "mastodon": MastodonConnector(mastodon, s.mastodon_api_url, client),
    }


def http_client(settings: SharingSettings) -> httpx.AsyncClient:
    """The pool every connector call goes through (OAuth calls use authlib's own client)."""
    limits = httpx.Limits(
        max_connections=settings.network_max_connections,
        max_keepalive_connections=settings.network_max_connections,
    )
    return httpx.AsyncClient(timeout=settings.network_timeout_s, limits=limits)
