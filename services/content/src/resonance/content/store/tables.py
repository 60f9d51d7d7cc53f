"""The content service's own tables (its database only)."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from resonance.common.plumbing import plumbing_tables


class ContentModel(SQLModel, registry=registry()):
    """Base of this service's tables, with a metadata of its own."""


def _now() -> datetime:
    return datetime.now(UTC)


def _created() -> Any:
    return Field(default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False))


def _opt_ts() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


def _texts() -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    )


# Languages PostgreSQL stems; anything else is indexed word for word ('simple').
TS_CONFIGS: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "fi": "finnish",
    "nb": "norwegian",
    "no": "norwegian",
}
_TS_CONFIG_SQL = (
    "CASE lower(split_part(coalesce(language, ''), '-', 1)) "
    + " ".join(f"WHEN '{code}' THEN '{cfg}'::regconfig" for code, cfg in TS_CONFIGS.items())
    + " ELSE 'simple'::regconfig END"
)
SEARCH_SQL = (
    f"setweight(to_tsvector({_TS_CONFIG_SQL}, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector({_TS_CONFIG_SQL}, coalesce(body, '') || ' ' || "
    f"coalesce(preview_description, '')), 'B')"
)


class TenantSettings(ContentModel, table=True):
    __tablename__ = "tenant_settings"

    tenant: str = Field(primary_key=True)
    approval_required: bool = False
    approval_required_brands: list[str] = _texts()
    blocked_terms: list[str] = _texts()
    disclosure_text: str | None = None
    mix_target_company: float = Field(default=0.2, sa_column=Column(Float, nullable=False))
    updated_by: str | None = None
    updated_at: datetime = _created()


class Campaign(ContentModel, table=True):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_tenant_created", "tenant", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant: str
    name: str
    description: str | None = None
    brand: str | None = None
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime | None = _opt_ts()
    goal_metric: str | None = None
    goal_value: int | None = None
    exclusive: bool = False
    mirror_post_urls: list[str] = _texts()
    targeting: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    status: str = "draft"
    created_by: str
    created_at: datetime = _created()
    launched_at: datetime | None = _opt_ts()
    launched_by: str | None = None


class Source(ContentModel, table=True):
    __tablename__ = "sources"
    __table_args__ = (Index("ix_sources_due", "active", "next_poll_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant: str
    name: str
    url: str
    family: str = "market"
    category: str | None = None
    language: str | None = None
    brand: str | None = None
    tags: list[str] = _texts()
    auto_approve: bool = False
    poll_interval_s: int = 3600
    active: bool = True
    next_poll_at: datetime = _created()
    last_polled_at: datetime | None = _opt_ts()
    last_error: str | None = None
    # Polls failed in a row: the next one waits 2^failures intervals (domain/sources.py).
    failures: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    created_by: str
    created_at: datetime = _created()


class SourceEntry(ContentModel, table=True):
    """Entries already seen per source (by GUID), whatever became of them."""

    __tablename__ = "source_entries"

    source_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    )
    guid: str = Field(primary_key=True)
    tenant: str
    content_id: uuid.UUID | None = None
    seen_at: datetime = _created()


class ContentItem(ContentModel, table=True):
    __tablename__ = "content_items"
    __table_args__ = (
        Index("ix_content_items_tenant_status", "tenant", "status", "created_at"),
        # The feed walks this index in its order and filters targeting on the way.
        Index(
            "ix_content_items_feed",
            "tenant",
            text("pinned DESC"),
            text("must_read DESC"),
            text("feed_at DESC"),
            text("id DESC"),
            postgresql_where=text("status = 'published'"),
        ),
        Index("ix_content_items_search", "search", postgresql_using="gin"),
        Index("ix_content_items_canonical", "tenant", "canonical_url"),
        Index("ix_content_items_due", "status", "publish_at"),
        Index(
            "ix_content_items_expiring",
            "expires_at",
            postgresql_where=text("status = 'published' AND expires_at IS NOT NULL"),
        ),
        Index("ix_content_items_mix", "tenant", "published_at"),
        Index("ix_content_items_campaign", "campaign_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant: str
    family: str
    category: str | None = None
    format: str
    title: str
    body: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    image_url: str | None = None
    preview_title: str | None = None
    preview_description: str | None = None
    preview_site_name: str | None = None
    language: str | None = None
    brand: str | None = None
    tags: list[str] = _texts()
    t_brands: list[str] = _texts()
    t_entities: list[str] = _texts()
    t_job_families: list[str] = _texts()
    t_sites: list[str] = _texts()
    t_countries: list[str] = _texts()
    t_languages: list[str] = _texts()
    t_programmes: list[str] = _texts()
    t_worker_types: list[str] = _texts()
    campaign_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("campaigns.id"), nullable=True)
    )
    source_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("sources.id", ondelete="SET NULL"))
    )
    submission_id: uuid.UUID | None = None
    submitted_by: str | None = None
    status: str = "draft"
    pinned: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    must_read: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    publish_at: datetime | None = _opt_ts()
    expires_at: datetime | None = _opt_ts()
    feed_at: datetime | None = _opt_ts()
    published_at: datetime | None = _opt_ts()
    retired_at: datetime | None = _opt_ts()
    retire_reason: str | None = None
    created_by: str
    created_at: datetime = _created()
    updated_at: datetime = _created()
    search: str | None = Field(
        default=None, sa_column=Column(TSVECTOR, Computed(SEARCH_SQL, persisted=True))
    )


class Caption(ContentModel, table=True):
    __tablename__ = "captions"
    __table_args__ = (UniqueConstraint("item_id", "network", "language", "variant"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    item_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("content_items.id", ondelete="CASCADE"), nullable=False)
    )
    tenant: str
    network: str
    language: str
    variant: int = Field(sa_column=Column(Integer, nullable=False))
    text: str


class AuditEntry(ContentModel, table=True):
    """Who did what to which item, and when. Never updated."""

    __tablename__ = "item_audit"
    __table_args__ = (Index("ix_item_audit_item", "item_id", "seq"),)

    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(), primary_key=True)
    )
    tenant: str
    item_id: uuid.UUID
    actor: str
    action: str
    from_status: str | None = None
    to_status: str | None = None
    detail: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    at: datetime = _created()


class Submission(ContentModel, table=True):
    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_queue", "tenant", "status", "created_at"),
        Index("ix_submissions_author", "tenant", "ambassador_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant: str
    ambassador_id: str | None
    format: str
    title: str
    body: str | None = None
    url: str | None = None
    language: str | None = None
    note: str | None = None
    status: str = "pending"
    reason: str | None = None
    moderated_by: str | None = None
    moderated_at: datetime | None = _opt_ts()
    content_id: uuid.UUID | None = None
    created_at: datetime = _created()


class AmbassadorView(ContentModel, table=True):
    """Local projection of ambassadors (from ambassador.* events): targeting, and who a
    token's subject is (`login_subject`, the identity provider's pseudonymous id)."""

    __tablename__ = "ambassadors"
    __table_args__ = (Index("ix_ambassadors_login_subject", "tenant", "login_subject"),)

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    login_subject: str | None = None
    brand: str | None = None
    entity: str | None = None
    job_family: str | None = None
    site: str | None = None
    country: str | None = None
    worker_type: str | None = None
    languages: list[str] = _texts()
    programmes: list[str] = _texts()
    active: bool = True
    updated_at: datetime = _created()
    # Envelope time of the last ambassador event applied: an older one is not applied.
    event_at: datetime | None = _opt_ts()


class ErasedAmbassador(ContentModel, table=True):
    """Erasure tombstones: a late or replayed event about an erased person must not bring
    them back. Only a digest of the id is kept (domain/membership.erasure_key)."""

    __tablename__ = "erased_ambassadors"

    tenant: str = Field(primary_key=True)
    ambassador_key: str = Field(primary_key=True)
    erased_at: datetime = _created()


class ShareView(ContentModel, table=True):
    """What each ambassador already shared (from share.made), to keep it out of their feed."""

    __tablename__ = "shares"

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    content_id: uuid.UUID = Field(primary_key=True)
    shared_at: datetime = _created()


metadata = ContentModel.metadata
plumbing = plumbing_tables(metadata)
