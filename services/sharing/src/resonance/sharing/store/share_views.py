"""The sharing service's tables beside the core ones (same metadata, second Alembic revision):
local projections of other services' events, auto-share opt-ins, click de-duplication,
conversions, reach schedule and the tenant's sharing policy.

(`type: ignore[call-arg]` on the classes: mypy, given this tree as files, sees the base
imported from store/base.py as Any and then refuses `table=True`.)"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from resonance.sharing.store.base import SharingModel, json_list, new_id, timestamp


def _json_object() -> Any:
    return Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )


class AmbassadorView(SharingModel, table=True):  # type: ignore[call-arg]
    """An ambassador as the ambassador.* events describe them.

    `memberships`: programme id -> {"active", "networks", "at"} (consented networks per
    enrolment, with the time of the event that set them). `profile_at`: time of the event
    whose profile is kept. A row with `erased_at` is a tombstone: it holds nothing personal
    and no later (or late) event brings the person back.
    """

    __tablename__ = "ambassador_views"
    __table_args__ = (Index("ix_ambassador_views_login", "tenant", "login_subject"),)

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    login_subject: str | None = None
    employee_active: bool = True
    profile: dict[str, Any] = _json_object()
    profile_at: datetime | None = timestamp()
    memberships: dict[str, Any] = _json_object()
    erased_at: datetime | None = timestamp()
    updated_at: datetime = timestamp(nullable=False)


class ContentView(SharingModel, table=True):  # type: ignore[call-arg]
    """A content item as content.published / content.retired describe it. `version_at` is
    the time of the last event applied: an older one never overwrites a newer one."""

    __tablename__ = "content_views"

    tenant: str = Field(primary_key=True)
    content_id: str = Field(primary_key=True)
    family: str
    title: str
    url: str | None = None
    language: str | None = None
    disclosure: str | None = None
    campaign_id: str | None = None
    captions: list[dict[str, str]] = json_list()
    targeting: dict[str, Any] = _json_object()
    publish_at: datetime | None = timestamp()
    expires_at: datetime | None = timestamp()
    live: bool = True
    retired_reason: str | None = None
    version_at: datetime = timestamp(nullable=False)


class CampaignView(SharingModel, table=True):  # type: ignore[call-arg]
    __tablename__ = "campaign_views"

    tenant: str = Field(primary_key=True)
    campaign_id: str = Field(primary_key=True)
    name: str
    starts_at: datetime = timestamp(nullable=False)
    ends_at: datetime | None = timestamp()
    content_ids: list[str] = json_list()
    targeting: dict[str, Any] = _json_object()
    version_at: datetime = timestamp(nullable=False)


class AutoshareConsent(SharingModel, table=True):  # type: ignore[call-arg]
    """Auto-share opt-in history, recorded like consent: granted / revoked, with its time.
    The current choice per network is the latest record."""

    __tablename__ = "autoshare_consents"
    __table_args__ = (
        Index("ix_autoshare_owner", "tenant", "ambassador_id", "network", "recorded_at"),
        Index("ix_autoshare_network", "tenant", "network", "recorded_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    tenant: str
    ambassador_id: str
    network: str
    action: str  # granted | revoked
    recorded_at: datetime = timestamp(nullable=False)


class LinkClick(SharingModel, table=True):  # type: ignore[call-arg]
    """One counted click: at most one per link, visitor and window (`key`, from
    domain.links.click_window_key). The visitor is a salted hash; no address or user agent
    is stored."""

    __tablename__ = "link_clicks"
    __table_args__ = (Index("ix_link_clicks_share", "tenant", "share_id"),)

    key: str = Field(primary_key=True)
    tenant: str
    share_id: str
    clicked_at: datetime = timestamp(nullable=False)


class Conversion(SharingModel, table=True):  # type: ignore[call-arg]
    __tablename__ = "conversions"
    __table_args__ = (
        Index("ix_conversions_share", "tenant", "share_id"),
        Index(
            "uq_conversions_external_ref",
            "tenant",
            "external_ref",
            unique=True,
            postgresql_where=text("external_ref IS NOT NULL"),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True)
    tenant: str
    share_id: str
    kind: str
    value: float | None = None
    currency: str | None = None
    external_ref: str | None = None
    occurred_at: datetime = timestamp(nullable=False)
    recorded_at: datetime = timestamp(nullable=False)
    reported_by: str


class ShareReach(SharingModel, table=True):  # type: ignore[call-arg]
    """The reach schedule and latest figures of one posted share.

    `next_poll_at` None: nothing more to read. `measured` says whether the figures come from
    the network (True) or are an estimate (False); the two are never mixed in one row.
    `audience_size`: the size the ambassador declared for an intent share (no connection).
    """

    __tablename__ = "share_reach"
    __table_args__ = (
        Index(
            "ix_share_reach_due",
            "next_poll_at",
            postgresql_where=text("next_poll_at IS NOT NULL"),
        ),
    )

    share_id: str = Field(primary_key=True)
    tenant: str
    posted_at: datetime = timestamp(nullable=False)
    next_poll_at: datetime | None = timestamp()
    polls: int = 0
    audience_size: int | None = None
    measured: bool | None = None
    impressions: int = 0
    reactions: int = 0
    comments: int = 0
    reshares: int = 0
    clicks: int = 0
    measured_at: datetime | None = timestamp()


class SharingPolicy(SharingModel, table=True):  # type: ignore[call-arg]
    """A tenant's sharing rules: blocked terms, caps per ambassador per network per day,
    reach rates per network (for estimates), the UTM medium of its links and its internal
    address ranges."""

    __tablename__ = "sharing_policies"

    tenant: str = Field(primary_key=True)
    blocked_terms: list[str] = json_list()
    daily_caps: dict[str, int] = _json_object()
    reach_rates: dict[str, float] = _json_object()
    utm_medium: str | None = None
    # The organisation's own address ranges (CIDR): clicks from them are `internal`.
    internal_networks: list[str] = json_list()
    updated_by: str | None = None
    updated_at: datetime = timestamp(nullable=False)
