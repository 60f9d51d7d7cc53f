"""Tenant settings, digests and re-engagement suggestions."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, Float, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from resonance.metrics.store.tables import MetricsModel, json_dict, text_array, ts


class TenantSettingsRow(MetricsModel, table=True):  # type: ignore[call-arg]
    """A tenant's reporting choices; absent values fall back to documented defaults."""

    __tablename__ = "tenant_settings"

    tenant: str = Field(primary_key=True)
    timezone: str | None = None
    company_share_target: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    lapse_days: int | None = None
    reach_rates: dict[str, Any] = json_dict()
    emv: dict[str, Any] = json_dict()
    digest_recipients: list[str] = text_array()
    programme_recipients: dict[str, Any] = json_dict()
    updated_at: datetime = ts(nullable=False)


class DigestRow(MetricsModel, table=True):  # type: ignore[call-arg]
    """One monthly digest; `key` is unique, so it is made and sent once."""

    __tablename__ = "digests"

    id: uuid.UUID = Field(primary_key=True)
    tenant: str = Field(index=True)
    key: str = Field(unique=True)
    programme_id: str | None = None
    label: str
    month: date = Field(sa_column=Column(Date, nullable=False))
    period_start: datetime = ts(nullable=False)
    period_end: datetime = ts(nullable=False)
    html: str = Field(sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    recipients: list[str] = text_array()
    # sending -> sent | failed; a digest whose sending was interrupted is never re-sent.
    status: str = "sending"
    error: str | None = None
    created_at: datetime = ts(nullable=False)
    sent_at: datetime | None = ts()


class NudgeRow(MetricsModel, table=True):  # type: ignore[call-arg]
    """A re-engagement suggestion: one per person and ISO week (domain suggestion_key)."""

    __tablename__ = "nudges"

    tenant: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    ambassador_id: str = Field(index=True)
    content_ids: list[str] = text_array()
    status: str = "sending"
    sent_at: datetime = ts(nullable=False)
