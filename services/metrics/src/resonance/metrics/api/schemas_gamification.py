"""Schemas of point rules, challenges, rewards and redemptions."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from resonance.common.api_paging import Page, page_examples
from resonance.metrics.api.text import NO_NUL
from resonance.metrics.domain.segments import Segment

Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
Stage = Literal["novice", "sharer", "curator", "creator"]


class SegmentIn(BaseModel):
    """Who it is for: any listed value within a field, every non-empty field (empty: all)."""

    programmes: list[Name] = Field(default_factory=list, max_length=50)
    brands: list[Name] = Field(default_factory=list, max_length=50)
    entities: list[Name] = Field(default_factory=list, max_length=50)
    sites: list[Name] = Field(default_factory=list, max_length=50)
    countries: list[Name] = Field(default_factory=list, max_length=50)
    job_families: list[Name] = Field(default_factory=list, max_length=50)

    def domain(self) -> Segment:
        return Segment(
            programmes=frozenset(self.programmes),
            brands=frozenset(self.brands),
            entities=frozenset(self.entities),
            sites=frozenset(self.sites),
            countries=frozenset(self.countries),
            job_families=frozenset(self.job_families),
        )


Amount = Annotated[int, Field(ge=0, le=1_000_000)]


class PointRulesIn(BaseModel):
    """The next version of the rules. Never retroactive: `effective_from` may not be past."""

    effective_from: datetime
    share_by_network: dict[Name, Amount] = Field(default_factory=dict, max_length=20)
    share_default: Amount = 0
    click: Amount = 0
    click_cap_per_share: Amount | None = None
    click_cap_per_day: Amount | None = None
    submission_approved: Amount = 0
    conversion_by_kind: dict[Name, Amount] = Field(default_factory=dict, max_length=10)
    conversion_default: Amount = 0
    event_attended: Amount = 0
    reach_milestones: list[tuple[Amount, Amount]] = Field(default_factory=list, max_length=20)


class PointRulesOut(PointRulesIn):
    version: int


class ChallengeIn(BaseModel):
    title: Name
    description: Text | None = None
    metric: Literal["shares", "market_shares", "clicks", "points", "approved_submissions"]
    target: int = Field(ge=1, le=1_000_000)
    starts_at: datetime
    ends_at: datetime
    award_points: Amount = 0
    award_badge: Name | None = None
    segment: SegmentIn = Field(default_factory=SegmentIn)


class ChallengePatch(BaseModel):
    title: Name | None = None
    description: Text | None = None
    ends_at: datetime | None = Field(default=None, description="later only: extend, not shorten")


class ChallengeOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    metric: str
    target: int
    starts_at: datetime
    ends_at: datetime
    award_points: int
    award_badge: str | None
    segment: SegmentIn
    cancelled_at: datetime | None


class ProgressOut(BaseModel):
    challenge_id: uuid.UUID
    ambassador_id: str
    value: int
    target: int
    fraction: float
    remaining: int
    completed: bool
    completed_at: datetime | None


class RewardIn(BaseModel):
    title: Name
    description: Text | None = None
    cost: int = Field(ge=1, le=10_000_000)
    stock: int | None = Field(default=None, ge=0, le=10_000_000, description="None: unlimited")
    segment: SegmentIn = Field(default_factory=SegmentIn)
    min_stage: Stage | None = None
    active: bool = True


class RewardOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    cost: int
    stock: int | None
    segment: SegmentIn
    min_stage: str | None
    active: bool


class RedemptionIn(BaseModel):
    reward_id: uuid.UUID


class RedemptionAction(BaseModel):
    note: Text | None = None


class RedemptionOut(BaseModel):
    id: uuid.UUID
    reward_id: uuid.UUID
    ambassador_id: str
    status: str
    cost: int
    requested_at: datetime
    updated_at: datetime
    note: str | None


class ChallengePage(Page[ChallengeOut]):
    model_config = page_examples(ChallengeOut)


class RewardPage(Page[RewardOut]):
    model_config = page_examples(RewardOut)


class RedemptionPage(Page[RedemptionOut]):
    model_config = page_examples(RedemptionOut)
