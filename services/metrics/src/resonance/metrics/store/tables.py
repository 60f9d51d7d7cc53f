"""The metrics service's own tables (its database only): the base, the helpers and the local
projections of other services' data (people, memberships, connections, content, campaigns).

The aggregates live in tables_activity.py, gamification in tables_gamification.py, reports and
settings in tables_reports.py; store/schema.py gathers them into one metadata.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Date, DateTime, Index, Integer, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from resonance.common.plumbing import plumbing_tables

# A fact with no item, campaign or network is stored under '' in keys (a primary key column
# cannot be NULL); the API shows it as null.
NONE_KEY = ""


class MetricsModel(SQLModel, registry=registry()):
    """Base of this service's tables, with a metadata of its own."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def ts(nullable: bool = True) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    return Field(default_factory=now_utc, sa_column=Column(DateTime(timezone=True), nullable=False))


def day_column(primary_key: bool = False) -> Any:
    return Field(sa_column=Column(Date, nullable=False, primary_key=primary_key))


def text_array() -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    )


def json_dict() -> Any:
    return Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )


def counter() -> Any:
    return Field(default=0, sa_column_kwargs={"server_default": text("0"), "nullable": False})


class PublishedContent(MetricsModel, table=True):
    """One row per published item: the content mix, top items, suggestions."""

    __tablename__ = "published_content"

    tenant: str = Field(primary_key=True)
    content_id: str = Field(primary_key=True)
    family: str
    published_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    title: str | None = None
    campaign_id: str | None = None
    brand: str | None = None
    language: str | None = None
    targeting: dict[str, Any] = json_dict()
    expires_at: datetime | None = ts()
    retired_at: datetime | None = ts()
    # Time of the last content event applied: an older one arriving late changes nothing.
    changed_at: datetime | None = ts()


class Campaign(MetricsModel, table=True):
    """A launched campaign and its goal (campaign.launched)."""

    __tablename__ = "campaigns"

    tenant: str = Field(primary_key=True)
    campaign_id: str = Field(primary_key=True)
    name: str
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime | None = ts()
    goal_metric: str | None = None
    goal_value: int | None = None
    content_ids: list[str] = text_array()
    goal_reached_at: datetime | None = ts()


class Ambassador(MetricsModel, table=True):
    """What this service knows of a person, from ambassador.* events: segmenting attributes,
    working time for nudges and the login subject their tokens carry. No name, no contact.

    Erasure re-keys the row to an anonymous id and clears everything personal, keeping the
    segment attributes that anonymous aggregates are counted under (`erased` true).
    """

    __tablename__ = "ambassadors"
    __table_args__ = (Index("ix_ambassadors_login_subject", "tenant", "login_subject"),)

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    login_subject: str | None = None
    programmes: list[str] = text_array()
    brand: str | None = None
    entity: str | None = None
    site: str | None = None
    country: str | None = None
    job_family: str | None = None
    stage: str | None = None
    worker_type: str | None = None
    timezone: str | None = None
    quiet_hours_start: str | None = None
    quiet_hours_end: str | None = None
    working_days: list[int] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Integer), nullable=False, server_default=text("'{}'::int[]")),
    )
    next_allowed_nudge_at: datetime | None = ts()
    active: bool = True
    erased: bool = False
    # Version guards: the event time of the profile and the stage last applied.
    profile_at: datetime | None = ts()
    stage_at: datetime | None = ts()
    updated_at: datetime = ts(nullable=False)


class Membership(MetricsModel, table=True):
    """One person in one programme: invited, enrolled (first), left (latest)."""

    __tablename__ = "memberships"
    # Covering: population KPIs group a tenant's memberships per person with an index-only
    # scan (store/kpi_people.py).
    __table_args__ = (
        Index(
            "ix_memberships_person",
            "tenant",
            "ambassador_id",
            postgresql_include=["programme_id", "enrolled_at", "left_at", "invited_at"],
        ),
    )

    tenant: str = Field(primary_key=True)
    programme_id: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    invited_at: datetime | None = ts()
    enrolled_at: datetime | None = ts()
    left_at: datetime | None = ts()


class PopulationSpan(MetricsModel, table=True):
    """One row per person with a membership: their memberships as one span (domain/
    population.py), so population KPIs read one row a person without grouping memberships.
    Kept by the fact consumer whenever a membership changes (service/populations.py)."""

    __tablename__ = "population_spans"
    # The few people whose enrolments leave a gap: read through their memberships.
    __table_args__ = (
        Index(
            "ix_population_spans_gaps",
            "tenant",
            "ambassador_id",
            postgresql_where=text("gaps"),
        ),
    )

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    enrolled_at: datetime | None = ts()
    targeted_at: datetime | None = ts()
    left_at: datetime | None = ts()
    gaps: bool = False


class Connection(MetricsModel, table=True):
    """A social account an ambassador connected (activation, estimated reach)."""

    __tablename__ = "connections"
    __table_args__ = (Index("ix_connections_person", "tenant", "ambassador_id", "network"),)

    tenant: str = Field(primary_key=True)
    connection_id: str = Field(primary_key=True)
    ambassador_id: str
    network: str
    audience_size: int | None = None
    connected_at: datetime | None = ts()
    disconnected_at: datetime | None = ts()
    changed_at: datetime | None = ts()


class AmbassadorPrefs(MetricsModel, table=True):
    """Choices a person makes here: hidden from public boards, where suggestions go."""

    __tablename__ = "ambassador_prefs"
    __table_args__ = (Index("uq_prefs_unsubscribe", "unsubscribe_token", unique=True),)

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    hidden: bool = False
    email: str | None = None
    suggestions: bool = True
    unsubscribe_token: str | None = None
    updated_at: datetime = ts(nullable=False)


class CompanyReach(MetricsModel, table=True):
    """The company page's reach over local days [first_day, end_day), entered by the tenant."""

    __tablename__ = "company_reach"

    tenant: str = Field(primary_key=True)
    first_day: date = day_column(primary_key=True)
    end_day: date = day_column()
    reach: int
    audience: int | None = None
    updated_at: datetime = ts(nullable=False)


class Erasure(MetricsModel, table=True):
    """Someone erased, as a hash of tenant and id only: a fact about them still in flight when
    they were erased (another topic, a retry) is dropped instead of re-creating their rows."""

    __tablename__ = "erasures"

    tenant: str = Field(primary_key=True)
    person_hash: str = Field(primary_key=True)
    erased_at: datetime = ts(nullable=False)


metadata = MetricsModel.metadata
# The plumbing tables (outbox, inbox, idempotency keys) on the same metadata; store/schema.py
# adds the aggregate, gamification and report tables by importing their modules.
plumbing = plumbing_tables(metadata)
