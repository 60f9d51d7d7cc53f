"""Aggregates kept incrementally as facts arrive: every KPI is read from these, never from
raw events. Days are the tenant's local days (domain/periods.py).

Segment attributes (programmes, brand, entity, site, country, job family) are copied onto
activity rows from the person's projection when the fact is applied: a report of May counts
a share under the site the person worked at in May. `segment_known` is false for a row written
before the person's profile arrived; the profile fills it in then (store/activity.py).
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, text
from sqlmodel import Field

from resonance.metrics.store.tables import MetricsModel, counter, day_column, text_array, ts


class ShareFact(MetricsModel, table=True):  # type: ignore[call-arg]
    """One post: where it belongs in the aggregates and its latest reach.

    `basis` says which reach of the post the aggregates hold: none, estimated (audience x
    rate, or an estimate reach.measured sent) or measured (the network's figures). A post
    counts under one basis only, so measured and estimated totals never overlap.
    """

    __tablename__ = "share_facts"
    __table_args__ = (Index("ix_share_facts_person", "tenant", "ambassador_id"),)

    tenant: str = Field(primary_key=True)
    share_id: str = Field(primary_key=True)
    ambassador_id: str
    content_id: str = ""
    campaign_id: str = ""
    network: str = ""
    family: str | None = None
    day: date = day_column()
    shared_at: datetime | None = ts()
    made: bool = False  # share.made seen (a reach event may arrive first)
    automatic: bool = False
    basis: str = "none"
    measured_at: datetime | None = ts()
    impressions: int = counter()
    reactions: int = counter()
    comments: int = counter()
    reshares: int = counter()
    post_clicks: int = counter()
    estimated_impressions: int = counter()
    estimated_at: datetime | None = ts()


class DailyActivity(MetricsModel, table=True):  # type: ignore[call-arg]
    """Per tenant, local day, ambassador, item, campaign and network: what happened."""

    __tablename__ = "daily_activity"
    __table_args__ = (
        Index("ix_daily_activity_person", "tenant", "ambassador_id"),
        Index("ix_daily_activity_campaign", "tenant", "campaign_id", "day"),
    )

    tenant: str = Field(primary_key=True)
    day: date = day_column(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    content_id: str = Field(primary_key=True)
    campaign_id: str = Field(primary_key=True)
    network: str = Field(primary_key=True)
    family: str | None = None
    segment_known: bool = False
    programmes: list[str] = text_array()
    brand: str | None = None
    entity: str | None = None
    site: str | None = None
    country: str | None = None
    job_family: str | None = None
    shares: int = counter()
    self_reported_shares: int = counter()
    automatic_shares: int = counter()
    failed_shares: int = counter()
    clicks: int = counter()
    internal_clicks: int = counter()
    conversions: int = counter()
    applications: int = counter()
    leads: int = counter()
    approved_submissions: int = counter()
    impressions: int = counter()  # measured
    measured_posts: int = counter()
    estimated_impressions: int = counter()
    estimated_posts: int = counter()
    reactions: int = counter()
    comments: int = counter()
    reshares: int = counter()
    post_clicks: int = counter()  # clicks the network reports on the post


class AmbassadorDaily(MetricsModel, table=True):  # type: ignore[call-arg]
    """Per tenant, ambassador and local day: the roll-up boards, participation, concentration,
    retention and streaks read (far fewer rows than daily_activity)."""

    __tablename__ = "ambassador_daily"
    __table_args__ = (
        Index("ix_ambassador_daily_day", "tenant", "day"),
        # A person's share days without visiting the rows: retention cohorts
        # (store/kpi_people.py) and weekly streaks.
        Index(
            "ix_ambassador_daily_shared",
            "tenant",
            "ambassador_id",
            "day",
            postgresql_where=text("shares > 0"),
        ),
    )

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    day: date = day_column(primary_key=True)
    segment_known: bool = False
    programmes: list[str] = text_array()
    brand: str | None = None
    entity: str | None = None
    site: str | None = None
    country: str | None = None
    job_family: str | None = None
    shares: int = counter()
    contributions: int = counter()  # shares + approved submissions + events attended
    clicks: int = counter()
    points: int = counter()
    # Time of the last scoring fact of the day: the tie-break of boards over days.
    last_scored_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class AmbassadorCounters(MetricsModel, table=True):  # type: ignore[call-arg]
    """All-time counters badges are checked against, and the last share (re-engagement)."""

    __tablename__ = "ambassador_counters"

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    shares: int = counter()
    market_shares: int = counter()
    approved_submissions: int = counter()
    longest_weekly_streak: int = counter()
    first_share_at: datetime | None = ts()
    last_share_at: datetime | None = ts()


class ItemVisitor(MetricsModel, table=True):  # type: ignore[call-arg]
    """A visitor (salted per-day hash) who followed an item's links on a day: unique visitors
    across all the colleagues who shared the item (echo chamber)."""

    __tablename__ = "item_visitors"

    tenant: str = Field(primary_key=True)
    content_id: str = Field(primary_key=True)
    day: date = day_column(primary_key=True)
    visitor: str = Field(primary_key=True)
    clicks: int = counter()


class CampaignTotals(MetricsModel, table=True):  # type: ignore[call-arg]
    """Running totals of a campaign's goal metrics (a goal check reads one row)."""

    __tablename__ = "campaign_totals"

    tenant: str = Field(primary_key=True)
    campaign_id: str = Field(primary_key=True)
    shares: int = counter()
    impressions: int = counter()  # measured
    clicks: int = counter()


class AmbassadorMonthly(MetricsModel, table=True):  # type: ignore[call-arg]
    """ambassador_daily summed per calendar month (tenant-local days), kept by triggers on
    ambassador_daily (migration 3b9d41c7a2e8): KPIs over whole months read one row per
    person instead of one per active day."""

    __tablename__ = "ambassador_monthly"

    tenant: str = Field(primary_key=True)
    month: date = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    shares: int = counter()
    contributions: int = counter()


class RetentionMarks(MetricsModel, table=True):  # type: ignore[call-arg]
    """Per person and enrolment, the weeks after it in which they shared (domain/retention.py,
    `week_marks`): retention cohorts read one row per member instead of their share days.

    `programme_id` FIRST_ENROLMENT holds the person's first enrolment in any programme (the
    whole tenant's cohorts); other rows one programme's enrolment (a programme's cohorts).
    Days are local to `timezone`, the tenant's zone when the row was computed: a read in
    another zone does not use the marks (store/retention_marks.py). Kept by the fact
    consumer: recomputed on enrolment, a bit set when a share makes a new share day.
    """

    __tablename__ = "retention_marks"
    __table_args__ = (
        Index(
            "ix_retention_marks_cohort",
            "tenant",
            "programme_id",
            "enrolled_day",
            postgresql_include=["ambassador_id", "weeks"],
        ),
        Index("ix_retention_marks_zone", "tenant", "timezone"),
    )

    tenant: str = Field(primary_key=True)
    ambassador_id: str = Field(primary_key=True)
    programme_id: str = Field(primary_key=True)
    timezone: str
    enrolled_day: date = day_column()
    weeks: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )


class QueuedShare(MetricsModel, table=True):  # type: ignore[call-arg]
    """A share.made taken off Kafka and not yet folded into the aggregates (service/fold.py).

    The consumer only appends here (one row per event: taking events in costs what a plain
    insert costs); the fold job applies the oldest rows in large sets and deletes them in the
    same transaction, claiming their event ids in the inbox then, so a redelivery queued
    twice is applied once. `parked` holds why a row could not be applied (kept for a person
    to look at, never retried by itself). Only the key is indexed: parked rows are rare, and
    every index would be paid for by each event taken in.
    """

    __tablename__ = "share_queue"

    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    event_id: str
    tenant: str
    ambassador_id: str
    data: str  # the event's payload as its JSON
    queued_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")),
    )
    parked: str | None = None
