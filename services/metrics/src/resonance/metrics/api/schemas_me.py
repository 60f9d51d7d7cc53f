"""Schemas of what an ambassador sees about themselves, and of boards."""

from datetime import date, datetime

from pydantic import BaseModel, EmailStr, Field

from resonance.common.api_paging import Page


class BalanceOut(BaseModel):
    earned: int
    spent: int
    held: int = Field(description="reserved by redemptions not yet fulfilled")
    available: int


class LedgerEntryOut(BaseModel):
    id: int
    amount: int
    reason: str
    source_id: str
    occurred_at: datetime
    rule_version: int | None


class PointsOut(BaseModel):
    ambassador_id: str
    balance: BalanceOut
    entries: list[LedgerEntryOut]
    next_cursor: str | None


class PeriodOut(BaseModel):
    kind: str
    label: str
    first_day: date | None
    end_day: date = Field(description="local day after the last one")
    timezone: str


class BoardEntryOut(BaseModel):
    rank: int = Field(description="competition rank: tied scores share it (1, 2, 2, 4)")
    position: int
    ambassador_id: str
    score: int


class BoardOut(BaseModel):
    period: PeriodOut
    entries: list[BoardEntryOut]
    next_cursor: str | None


class RankOut(BaseModel):
    period: PeriodOut
    ambassador_id: str
    score: int
    rank: int
    out_of: int
    hidden: bool
    listed: bool = Field(description="shown on the public board (visible and scored)")


class PrivacyIn(BaseModel):
    hidden: bool


class PrivacyOut(BaseModel):
    hidden: bool


class ContactIn(BaseModel):
    email: EmailStr | None = Field(default=None, max_length=254)
    suggestions: bool = True


class ContactOut(BaseModel):
    email: str | None
    suggestions: bool


class BadgeOut(BaseModel):
    code: str
    title: str
    awarded_at: datetime


class BadgePage(Page[BadgeOut]):
    """My badges, oldest first."""
