"""Points, boards, badges, challenges and rewards."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from resonance.metrics.store.tables import MetricsModel, counter, json_dict, new_id, ts


class PointRulesRow(MetricsModel, table=True):  # type: ignore[call-arg]
    """One version of a tenant's point rules (domain PointRules, as JSON)."""

    __tablename__ = "point_rules"

    tenant: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    effective_from: datetime = ts(nullable=False)
    rules: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_by: str | None = None
    created_at: datetime = ts(nullable=False)


class LedgerRow(MetricsModel, table=True):  # type: ignore[call-arg]
    """Why each point was given. `key` is unique per tenant: a fact earns once."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("tenant", "key", name="uq_points_ledger_key"),
        Index("ix_points_ledger_person", "tenant", "ambassador_id", "id"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=False), primary_key=True)
    )
    tenant: str
    ambassador_id: str
    amount: int
    reason: str
    source_id: str
    occurred_at: datetime = ts(nullable=False)
    rule_version: int | None = None
    key: str
    recorded_at: datetime = ts(nullable=False)


class PointBalance(MetricsModel, table=True):  # type: ignore[call-arg]
    """earned - spent - held = available (domain points.Balance)."""

    __tablename__ = "point_balances"

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    earned: int = counter()
    spent: int = counter()
    held: int = counter()


class AwardCounter(MetricsModel, table=True):  # type: ignore[call-arg]
    """Counters caps depend on: paid clicks per share and per person-day, reach milestone
    reached per post (keys from store/ledger.py)."""

    __tablename__ = "award_counters"

    tenant: str = Field(primary_key=True)
    counter_key: str = Field(primary_key=True)
    value: int = counter()


class BoardScore(MetricsModel, table=True):  # type: ignore[call-arg]
    """Points per person in one calendar board (week, month, quarter, all time), kept as
    points arrive; `reached_at` is the time of the last scoring fact (the tie-break)."""

    __tablename__ = "board_scores"
    __table_args__ = (
        # The board's own order (score desc, then who got there first), so a page is the
        # first rows of an index walk and "how many are above me" a range of it.
        Index(
            "ix_board_scores_order",
            "tenant",
            "kind",
            "label",
            text("score DESC"),
            "reached_at",
            "ambassador_id",
        ),
    )

    tenant: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    label: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    score: int = counter()
    reached_at: datetime = ts(nullable=False)


class BadgeAward(MetricsModel, table=True):  # type: ignore[call-arg]
    __tablename__ = "badge_awards"

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    code: str = Field(primary_key=True)
    title: str
    awarded_at: datetime = ts(nullable=False)


class ChallengeRow(MetricsModel, table=True):  # type: ignore[call-arg]
    __tablename__ = "challenges"
    __table_args__ = (Index("ix_challenges_window", "tenant", "starts_at", "ends_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant: str
    title: str
    description: str | None = None
    metric: str
    target: int
    starts_at: datetime = ts(nullable=False)
    ends_at: datetime = ts(nullable=False)
    award_points: int = 0
    award_badge: str | None = None
    segment: dict[str, Any] = json_dict()
    created_by: str | None = None
    created_at: datetime = ts(nullable=False)
    cancelled_at: datetime | None = ts()


class ChallengeProgressRow(MetricsModel, table=True):  # type: ignore[call-arg]
    __tablename__ = "challenge_progress"
    __table_args__ = (Index("ix_challenge_progress_person", "tenant", "ambassador_id"),)

    challenge_id: uuid.UUID = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    tenant: str
    value: int = counter()
    completed_at: datetime | None = ts()


class RewardRow(MetricsModel, table=True):  # type: ignore[call-arg]
    """A catalogue entry; `stock` None is unlimited."""

    __tablename__ = "rewards"
    __table_args__ = (Index("ix_rewards_tenant", "tenant"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant: str
    title: str
    description: str | None = None
    cost: int
    stock: int | None = None
    segment: dict[str, Any] = json_dict()
    min_stage: str | None = None
    active: bool = True
    created_at: datetime = ts(nullable=False)


class RedemptionRow(MetricsModel, table=True):  # type: ignore[call-arg]
    """A request for a reward; `cost` and `stock_counted` are as they were when requested,
    so what a rejection or cancellation gives back never depends on later catalogue edits."""

    __tablename__ = "redemptions"
    __table_args__ = (
        Index("ix_redemptions_person", "tenant", "ambassador_id"),
        Index("ix_redemptions_status", "tenant", "status"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant: str
    reward_id: uuid.UUID
    ambassador_id: str
    status: str
    cost: int
    stock_counted: bool
    requested_at: datetime = ts(nullable=False)
    updated_at: datetime = ts(nullable=False)
    decided_by: str | None = None
    note: str | None = None


class RollingBoard(MetricsModel, table=True):  # type: ignore[call-arg]
    """A rolling 30-day board kept in board_scores under the window's label: built once when
    the window moves (each local day), then kept up to date as points arrive."""

    __tablename__ = "rolling_boards"

    tenant: str = Field(primary_key=True)
    label: str = Field(primary_key=True)
    built_at: datetime = ts(nullable=False)


class BoardHistogram(MetricsModel, table=True):  # type: ignore[call-arg]
    """How many people hold each positive score on a kept board (calendar and rolling), so
    "how many are above me" sums the few distinct scores above mine instead of counting
    people. Kept by triggers on board_scores (migration 3b9d41c7a2e8), whatever writes it:
    points, the rolling build, erasure."""

    __tablename__ = "board_histograms"

    tenant: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    label: str = Field(primary_key=True)
    score: int = Field(primary_key=True)
    people: int = counter()
