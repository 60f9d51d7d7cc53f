"""Request and response bodies of the connection routes. No token is ever in any of them."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ConnectionStatus = Literal["connected", "reauth_required", "disconnected"]


class AuthorizationOut(BaseModel):
    authorization_url: str = Field(
        description="Open this in the ambassador's browser; the network redirects back to "
        "the callback, which completes the connection.",
        examples=[
            "https://x.com/i/oauth2/authorize?response_type=code&client_id=abc&redirect_uri="
            "https%3A%2F%2Fsharing.example%2Fv1%2Fconnections%2Fx%2Fcallback&scope=tweet.read"
            "+tweet.write+users.read+offline.access&state=Zk9...&code_challenge=E9Me..."
            "&code_challenge_method=S256"
        ],
    )
    expires_in: int = Field(description="Seconds the authorization stays valid (single use).")


class ConnectionOut(BaseModel):
    id: str
    network: str
    network_user_id: str
    display_name: str | None = None
    username: str | None = None
    audience_size: int | None = Field(
        default=None, description="Followers as the network reports them, where available."
    )
    status: ConnectionStatus
    reason: str | None = Field(default=None, description="Why the status is not connected.")
    scopes: list[str] = Field(default_factory=list)
    expires_at: datetime | None = Field(
        default=None,
        description="When the access ends unless refreshed or reconnected (None: no expiry).",
    )
    connected_at: datetime

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": "1c3a5a4e-6f0b-4a53-9b8f-0f6f3a1e2d10",
                    "network": "linkedin",
                    "network_user_id": "782bbtaQ",
                    "display_name": "Adam Ambassador",
                    "username": None,
                    "audience_size": 1200,
                    "status": "connected",
                    "reason": None,
                    "scopes": ["email", "openid", "profile", "w_member_social"],
                    "expires_at": "2027-01-30T10:00:00Z",
                    "connected_at": "2026-12-01T10:00:00Z",
                }
            ]
        }
    }


class ConnectionPageOut(BaseModel):
    """One page of the caller's connections (docs/api.md, "Lists")."""

    items: list[ConnectionOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last."
    )
