"""Schemas of the tenant's reporting settings."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from resonance.common.api_paging import Page
from resonance.metrics.api.text import NO_NUL

Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
Money = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=12, decimal_places=4)]
Rate = Annotated[float, Field(ge=0, le=1)]
Recipients = Annotated[list[EmailStr], Field(max_length=50)]


class EmvRatesIn(BaseModel):
    cpm: Money | None = None
    cpc: Money | None = None
    per_reaction: Money | None = None
    per_comment: Money | None = None
    per_reshare: Money | None = None


class EmvIn(BaseModel):
    """Defaults: USD, CPM 10.00, CPC 5.00, 0.50 per reaction, comment or reshare."""

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    default: EmvRatesIn = Field(default_factory=EmvRatesIn)
    by_network: dict[Name, EmvRatesIn] = Field(default_factory=dict, max_length=20)


class ReachRatesIn(BaseModel):
    """Share of a person's audience a post is assumed to reach (default 3.5 %), per network."""

    default: Rate = 0.035
    by_network: dict[Name, Rate] = Field(default_factory=dict, max_length=20)


class SettingsIn(BaseModel):
    """Fields left out keep their value."""

    timezone: Name | None = None
    company_share_target: Rate | None = Field(default=None, description="default 0.2")
    lapse_days: int | None = Field(default=None, ge=1, le=365, description="default 30")
    reach_rates: ReachRatesIn | None = None
    emv: EmvIn | None = None
    digest_recipients: Recipients | None = None
    programme_recipients: dict[Name, Recipients] | None = Field(default=None, max_length=50)


class SettingsOut(BaseModel):
    timezone: str
    company_share_target: float
    lapse_days: int
    reach_rates: ReachRatesIn
    emv: EmvIn
    digest_recipients: list[str]
    programme_recipients: dict[str, list[str]]


class CompanyReachIn(BaseModel):
    first_day: date
    end_day: date = Field(description="local day after the last one")
    reach: int = Field(ge=0, le=10**12)
    audience: int | None = Field(default=None, ge=0, le=10**12)


class CompanyReachOut(CompanyReachIn):
    pass


class CompanyReachPage(Page[CompanyReachOut]):
    """The company's own reach figures, by first day."""
