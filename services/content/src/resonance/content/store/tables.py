"""The content service's own tables (its database only)."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from resonance.common.plumbing import plumbing_tables


class ContentModel(SQLModel, registry=registry()):
    """Base of this service's tables, with a metadata of its own."""


def _now() -> datetime:
    return datetime.now(UTC)


class ContentItem(ContentModel, table=True):
    __tablename__ = "content_items"
    __table_args__ = (Index("ix_content_items_tenant_status", "tenant", "status"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tenant: str = Field(index=False)
    family: str
    format: str
    title: str
    body: str | None = None
    url: str | None = None
    language: str | None = None
    status: str = "draft"
    created_by: str
    created_at: datetime = Field(default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


metadata = ContentModel.metadata
plumbing = plumbing_tables(metadata)
