"""The sharing service's core tables (its database only): connections to social accounts,
OAuth states in flight, shares and their posting attempts.

Tokens are stored sealed with the service's SecretBox (`runtime.secrets`), never in clear.
Projections, links, clicks, conversions and auto-share opt-ins live in share_views.py (a
second Alembic revision on top of this one).

(`type: ignore[call-arg]` on the classes: mypy, given the tree as files, sees the base
imported from store/base.py as Any and then refuses `table=True`.)
"""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field

from resonance.common.plumbing import plumbing_tables
from resonance.sharing.store.base import SharingModel, json_list, new_id, timestamp

# Connection statuses.
CONNECTED = "connected"
REAUTH_REQUIRED = "reauth_required"
DISCONNECTED = "disconnected"

# Share statuses.
SCHEDULED = "scheduled"
POSTING = "posting"
POSTED = "posted"
FAILED = "failed"
CANCELLED = "cancelled"


class Connection(SharingModel, table=True):  # type: ignore[call-arg]
    """An ambassador's account on one network, with its tokens sealed."""

    __tablename__ = "connections"
    __table_args__ = (
        # One account per ambassador and network: reconnecting replaces the tokens.
        UniqueConstraint("tenant", "ambassador_id", "network", name="uq_connections_owner"),
        # The expiry announcer scans connections that cannot be refreshed and end soon.
        Index(
            "ix_connections_expiring",
            "expires_at",
            postgresql_where=text("status = 'connected' AND expires_at IS NOT NULL"),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    tenant: str
    ambassador_id: str
    network: str
    network_user_id: str
    display_name: str | None = None
    username: str | None = None
    audience_size: int | None = None
    access_token_sealed: str | None = None
    refresh_token_sealed: str | None = None
    expires_at: datetime | None = timestamp()
    refresh_expires_at: datetime | None = timestamp()
    status: str = CONNECTED
    reason: str | None = None
    scopes: list[str] = json_list()
    # Expiry thresholds (days ahead) already announced with connection.expiring.
    expiry_announced: list[int] = json_list()
    connected_at: datetime = timestamp(nullable=False)
    updated_at: datetime = timestamp(nullable=False)
    version: int = 1


class OAuthState(SharingModel, table=True):  # type: ignore[call-arg]
    """An authorization in flight: the `state` (stored hashed) binds the callback to the
    ambassador who started it; single use, expiring."""

    __tablename__ = "oauth_states"
    __table_args__ = (Index("ix_oauth_states_expires", "expires_at"),)

    state_hash: str = Field(primary_key=True)
    tenant: str
    ambassador_id: str
    network: str
    code_verifier_sealed: str
    redirect_uri: str
    # Where to send the browser after the callback (None: answer JSON).
    return_to: str | None = None
    created_at: datetime = timestamp(nullable=False)
    expires_at: datetime = timestamp(nullable=False)
    used_at: datetime | None = timestamp()


class Share(SharingModel, table=True):  # type: ignore[call-arg]
    """One post of one item by one ambassador on one network."""

    __tablename__ = "shares"
    __table_args__ = (
        # The scheduler's query: scheduled shares not yet handed to the workers, by due time.
        Index(
            "ix_shares_due",
            "scheduled_for",
            postgresql_where=text("status = 'scheduled' AND requested_at IS NULL"),
        ),
        # The sweeper's query: shares handed to the workers that never finished (a lost
        # request or a worker killed mid-post) are handed out again.
        Index(
            "ix_shares_in_flight",
            "requested_at",
            postgresql_where=text(
                "status IN ('scheduled', 'posting') AND requested_at IS NOT NULL"
            ),
        ),
        # Caps per ambassador per network per day, and the ambassador's own list.
        Index("ix_shares_owner_day", "tenant", "ambassador_id", "network", "scheduled_for"),
        Index("ix_shares_owner_created", "tenant", "ambassador_id", "created_at"),
        Index(
            "uq_shares_link_code",
            "link_code",
            unique=True,
            postgresql_where=text("link_code IS NOT NULL"),
        ),
        # A request retried with the same fingerprint finds the share it already made.
        Index(
            "uq_shares_fingerprint",
            "tenant",
            "fingerprint",
            unique=True,
            postgresql_where=text("fingerprint IS NOT NULL"),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    tenant: str
    ambassador_id: str
    content_id: str | None = None
    content_family: str | None = None
    campaign_id: str | None = None
    network: str
    connection_id: str | None = None
    # The final composed text (caption + disclosure + tracked link) as posted.
    text: str
    tracked_link: str | None = None
    link_code: str | None = None
    status: str = SCHEDULED
    # A stable code when failed or cancelled (reauth_required, rejected, rate_limited, ...).
    reason: str | None = None
    error: str | None = None
    scheduled_for: datetime = timestamp(nullable=False)
    # When the share was handed to the workers (share.requested emitted); None: not yet.
    requested_at: datetime | None = timestamp()
    posted_at: datetime | None = timestamp()
    post_id: str | None = None
    post_url: str | None = None
    automatic: bool = False
    self_reported: bool = False
    fingerprint: str | None = None
    attempts: int = 0
    created_at: datetime = timestamp(nullable=False)
    updated_at: datetime = timestamp(nullable=False)
    version: int = 1


class ShareAttempt(SharingModel, table=True):  # type: ignore[call-arg]
    """One call to the network to post a share, recorded BEFORE the call.

    An attempt with `finished_at` NULL whose worker is gone is "in doubt": the network may or
    may not have the post; the worker reconciles with the author's recent posts first.
    """

    __tablename__ = "share_attempts"

    share_id: str = Field(primary_key=True)
    attempt_no: int = Field(primary_key=True)
    tenant: str
    started_at: datetime = timestamp(nullable=False)
    finished_at: datetime | None = timestamp()
    # posted | reconciled | retry | failed | abandoned
    outcome: str | None = None
    error: str | None = None
    # The key sent to the network where it supports one (Mastodon's Idempotency-Key).
    idempotency_key: str | None = None


metadata = SharingModel.metadata
plumbing = plumbing_tables(metadata)
