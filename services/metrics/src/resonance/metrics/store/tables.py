"""The metrics service's own tables (its database only)."""

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from resonance.common.plumbing import plumbing_tables


class MetricsModel(SQLModel, registry=registry()):
    """Base of this service's tables, with a metadata of its own."""


class PublishedContent(MetricsModel, table=True):
    """One row per published item: the basis of the published count and the content mix."""

    __tablename__ = "published_content"

    tenant: str = Field(primary_key=True)
    content_id: str = Field(primary_key=True)
    family: str
    published_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


metadata = MetricsModel.metadata
plumbing = plumbing_tables(metadata)
