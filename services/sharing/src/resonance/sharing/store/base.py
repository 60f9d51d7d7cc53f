"""The declarative base of the sharing service's tables and small column helpers.

Every table module of this service (tables.py, share_views.py, ...) declares on
`SharingModel`, so one metadata holds them all for Alembic.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class SharingModel(SQLModel, registry=registry()):
    """Base of this service's tables, with a metadata of its own."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def timestamp(nullable: bool = True) -> Any:
    """A timezone-aware timestamp column (optional unless `nullable=False`)."""
    if nullable:
        return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    return Field(default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False))


def json_list() -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
