"""Schemas of the KPI reads. Rates are fractions (0.2 is 20 %); null means "no data" (an
empty population or no impressions), never 0."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from resonance.common.api_paging import Page
from resonance.metrics.api.schemas_me import PeriodOut


class ParticipationOut(BaseModel):
    period: PeriodOut
    enrolled: int = Field(description="enrolled at some moment of the period")
    sharers: int = Field(description="of those, shared at least once in the period")
    active: int = Field(description="of those, made any contribution in the period")
    connected: int = Field(description="of those, had a network connected in the period")
    targeted: int = Field(description="invited or enrolled by the end of the period")
    engaged: int = Field(description="of the targeted, enrolled by the end of the period")
    participation: float | None
    activation: float | None
    targeted_engagement: float | None
    active_rate: float | None


class CurveOut(BaseModel):
    cohort: date = Field(description="first day of the month of enrolment")
    size: int
    points: list[float | None] = Field(description="share active in week k after enrolment")


class RetentionOut(BaseModel):
    period: PeriodOut
    weeks: int
    curves: list[CurveOut]


class ConcentrationOut(BaseModel):
    period: PeriodOut
    people: int = Field(description="enrolled in the period, with or without contributions")
    contributions: int
    top_people: int = Field(description="how many people the top 5 % is")
    top_contributions: int
    top_share: float | None = Field(description="share of contributions made by the top 5 %")
    gini: float | None


class MixOut(BaseModel):
    company: int
    market: int
    company_share: float | None
    market_share: float | None
    target_company_share: float
    gap: float | None = Field(description="company share - target: positive is too much")


class ContentMixOut(BaseModel):
    period: PeriodOut
    published: MixOut
    shares: MixOut


class ActivityOut(BaseModel):
    shares: int
    self_reported_shares: int
    automatic_shares: int
    failed_shares: int
    clicks: int
    internal_clicks: int
    conversions: int
    applications: int
    leads: int
    approved_submissions: int
    impressions: int = Field(description="measured by the networks")
    measured_posts: int
    estimated_impressions: int = Field(description="audience x reach rate, never added to measured")
    estimated_posts: int
    reactions: int
    comments: int
    reshares: int
    post_clicks: int = Field(description="clicks the networks report on the posts")


class ReachOut(BaseModel):
    period: PeriodOut
    measured_impressions: int
    measured_posts: int
    estimated_impressions: int
    estimated_posts: int
    engagement_rate: float | None
    company_reach: int | None = Field(description="entered for periods inside this one")
    employee_vs_company: float | None = Field(description="measured employee reach / company")


class ItemEchoOut(BaseModel):
    content_id: str
    sharers: int
    clicks: int
    unique_visitors: int
    unique_per_click: float | None


class EchoOut(BaseModel):
    period: PeriodOut
    clicks: int
    internal_clicks: int
    internal_share: float | None = Field(description="clicks from inside the company / clicks")
    items: list[ItemEchoOut]


class EmvValueOut(BaseModel):
    network: str | None
    impressions: Decimal
    clicks: Decimal
    engagements: Decimal
    total: Decimal


class EmvOut(BaseModel):
    period: PeriodOut
    currency: str
    total: EmvValueOut
    by_network: list[EmvValueOut]


class NetworkOut(BaseModel):
    network: str
    activity: ActivityOut
    engagement_rate: float | None
    conversion_rate: float | None


class NetworksOut(BaseModel):
    period: PeriodOut
    networks: list[NetworkOut]


class ConversionsOut(BaseModel):
    period: PeriodOut
    conversions: int
    applications: int
    leads: int
    outside_clicks: int
    conversion_rate: float | None
    by_network: list[NetworkOut]


class DayOut(BaseModel):
    day: date
    shares: int
    sharers: int
    clicks: int
    impressions: int
    estimated_impressions: int
    conversions: int


class DailyOut(BaseModel):
    period: PeriodOut
    days: list[DayOut]


class ItemOut(BaseModel):
    content_id: str
    title: str | None
    family: str | None
    activity: ActivityOut


class TopItemsOut(BaseModel):
    period: PeriodOut
    items: list[ItemOut]


class PersonOut(BaseModel):
    ambassador_id: str
    shares: int
    contributions: int
    clicks: int
    points: int


class TopPeopleOut(BaseModel):
    period: PeriodOut
    people: list[PersonOut]


class CampaignOut(BaseModel):
    campaign_id: str
    name: str
    starts_at: datetime
    ends_at: datetime | None
    goal_metric: str | None
    goal_value: int | None
    value: int | None
    fraction: float | None
    reached: bool
    elapsed: float | None
    on_track: bool | None
    goal_reached_at: datetime | None


class CampaignPage(Page[CampaignOut]):
    """Launched campaigns against their goal, newest first."""
