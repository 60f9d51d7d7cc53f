"""Every event of the platform, versioned. This module is the public contract between teams.

A new field with a default is a compatible change; renaming or removing one needs a new
version (a new class with `version = 2`) published beside the old one until consumers move.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from resonance.common.events.envelope import EventData

Network = Literal[
    "linkedin",
    "x",
    "mastodon",
    "bluesky",
    "facebook",
    "instagram",
    "whatsapp",
    "xing",
    "tiktok",
    "threads",
    "other",
]


class Part(BaseModel):
    """A nested value object inside an event payload."""

    model_config = ConfigDict(extra="forbid")


class Targeting(Part):
    """Audience rules: any value within a field matches, all non-empty fields must match."""

    brands: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    job_families: list[str] = Field(default_factory=list)
    sites: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    programmes: list[str] = Field(default_factory=list)
    worker_types: list[str] = Field(default_factory=list)


class Caption(Part):
    network: str
    language: str
    text: str


# --- content -------------------------------------------------------------------------


class ContentPublished(EventData):
    event_type = "content.published"
    topic = "content"
    description = "A content item became visible to its targeted ambassadors."

    content_id: str
    family: Literal["company", "market", "submission"]
    category: str | None = None
    format: Literal["link", "image", "video", "text"]
    title: str
    body: str | None = None
    url: str | None = None
    image_url: str | None = None
    language: str | None = None
    brand: str | None = None
    tags: list[str] = Field(default_factory=list)
    captions: list[Caption] = Field(default_factory=list)
    targeting: Targeting = Field(default_factory=Targeting)
    campaign_id: str | None = None
    publish_at: datetime | None = None
    expires_at: datetime | None = None
    pinned: bool = False
    must_read: bool = False
    submitted_by: str | None = None
    canonical_url: str | None = None
    preview_title: str | None = None
    preview_description: str | None = None
    disclosure: str | None = Field(
        default=None, description="Tenant disclosure text the sharing service appends."
    )
    published_at: datetime | None = None

    def subject(self) -> str:
        return self.content_id


class ContentRetired(EventData):
    event_type = "content.retired"
    topic = "content"
    description = "A content item expired or was withdrawn; it must no longer be offered."

    content_id: str
    reason: Literal["expired", "withdrawn", "erased"] = "withdrawn"

    def subject(self) -> str:
        return self.content_id


class CampaignLaunched(EventData):
    event_type = "campaign.launched"
    topic = "campaign"
    description = "A campaign started: its items are published and its goal is tracked."

    campaign_id: str
    name: str
    brand: str | None = None
    starts_at: datetime
    ends_at: datetime | None = None
    goal_metric: Literal["shares", "reach", "clicks"] | None = None
    goal_value: int | None = None
    content_ids: list[str] = Field(default_factory=list)
    exclusive: bool = False
    mirror_of_post_urls: list[str] = Field(default_factory=list)
    targeting: Targeting = Field(default_factory=Targeting)

    def subject(self) -> str:
        return self.campaign_id


class SubmissionApproved(EventData):
    event_type = "submission.approved"
    topic = "submission"
    description = "An ambassador's own content was approved by a moderator."

    submission_id: str
    content_id: str
    ambassador_id: str

    def subject(self) -> str:
        return self.submission_id


# --- ambassadors ---------------------------------------------------------------------


class AmbassadorProfile(Part):
    """Attributes other services may target on. No names, no contact details."""

    brand: str | None = None
    entity: str | None = None
    job_family: str | None = None
    site: str | None = None
    country: str | None = None
    languages: list[str] = Field(default_factory=list)
    worker_type: Literal["office", "frontline"] | None = None
    timezone: str | None = None
    quiet_hours_start: str | None = None
    quiet_hours_end: str | None = None
    programmes: list[str] = Field(default_factory=list)
    age_band: str | None = None
    social_media_maturity: str | None = None
    working_days: list[int] = Field(default_factory=list)
    stage: Literal["novice", "sharer", "curator", "creator"] | None = None


class AmbassadorInvited(EventData):
    event_type = "ambassador.invited"
    topic = "ambassador"
    description = "An employee was invited to discover a programme; nothing is enrolled."

    ambassador_id: str
    programme_id: str
    invitation_id: str
    cohort_id: str | None = None
    reason: Literal["joiner", "audience_match", "nomination", "cohort_renewal"] = "joiner"
    not_before: datetime | None = None

    def subject(self) -> str:
        return self.ambassador_id


class AmbassadorEnrolled(EventData):
    event_type = "ambassador.enrolled"
    topic = "ambassador"
    description = "An employee opted in to a programme with recorded consent."

    ambassador_id: str
    programme_id: str
    charter_version: str
    networks: list[str] = Field(default_factory=list)
    profile: AmbassadorProfile = Field(default_factory=AmbassadorProfile)
    login_subject: str | None = Field(
        default=None,
        description=(
            "the identity provider's subject of this person, so services can recognise their "
            "access tokens; pseudonymous, never an e-mail"
        ),
    )

    def subject(self) -> str:
        return self.ambassador_id


class AmbassadorUpdated(EventData):
    event_type = "ambassador.updated"
    topic = "ambassador"
    description = "Targetable attributes or preferences of an ambassador changed."

    ambassador_id: str
    profile: AmbassadorProfile
    active: bool = True
    next_allowed_nudge_at: datetime | None = None
    login_subject: str | None = Field(
        default=None,
        description=(
            "the identity provider's subject of this person, so services can recognise their "
            "access tokens; pseudonymous, never an e-mail"
        ),
    )

    def subject(self) -> str:
        return self.ambassador_id


class AmbassadorLeft(EventData):
    event_type = "ambassador.left"
    topic = "ambassador"
    description = "An ambassador withdrew consent or left the company."

    ambassador_id: str
    programme_id: str | None = None
    reason: Literal["opt_out", "leaver", "deactivated", "cohort_closed", "erased"] = "opt_out"

    def subject(self) -> str:
        return self.ambassador_id


class AmbassadorStageChanged(EventData):
    event_type = "ambassador.stage_changed"
    topic = "ambassador"
    description = "An ambassador moved between novice, sharer, curator and creator."

    ambassador_id: str
    previous_stage: Literal["novice", "sharer", "curator", "creator"]
    stage: Literal["novice", "sharer", "curator", "creator"]

    def subject(self) -> str:
        return self.ambassador_id


class AmbassadorErased(EventData):
    event_type = "ambassador.erased"
    topic = "ambassador"
    description = "Personal data of this person must be purged or anonymised everywhere."

    ambassador_id: str

    def subject(self) -> str:
        return self.ambassador_id


class HrEmployee(EventData):
    """Written by HR systems or their middleware, not by a Resonance service."""

    event_type = "hr.employee"
    topic = "hr.employee"
    description = "Joiner, mover or leaver fact from the HR system of record."

    change: Literal["joiner", "mover", "leaver"]
    employee_number: str
    external_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    personal_email: str | None = None
    phone: str | None = None
    department: str | None = None
    division: str | None = None
    organization: str | None = None
    cost_center: str | None = None
    manager_employee_number: str | None = None
    job_family: str | None = None
    site: str | None = None
    country: str | None = None
    language: str | None = None
    worker_type: Literal["office", "frontline"] | None = None
    age_band: str | None = None
    hired_at: datetime | None = None
    effective_at: datetime | None = None
    brand: str | None = None
    entity: str | None = None
    active: bool | None = None

    def subject(self) -> str:
        return self.employee_number


# --- sharing -------------------------------------------------------------------------


class ShareRequested(EventData):
    event_type = "share.requested"
    topic = "share.request"
    description = (
        "Work for the posting workers: a share is due now (its own topic and consumer group, "
        "so operations scale workers apart from the API). Carries no text and no token."
    )

    share_id: str
    ambassador_id: str
    network: str
    due_at: datetime
    attempt: int = 0

    def subject(self) -> str:
        return self.share_id


class ShareMade(EventData):
    event_type = "share.made"
    topic = "share"
    description = "An ambassador's post went live on a social network."

    share_id: str
    ambassador_id: str
    content_id: str | None = None
    content_family: Literal["company", "market", "submission", "own"] | None = None
    campaign_id: str | None = None
    network: str
    post_url: str | None = None
    tracked_link: str | None = None
    shared_at: datetime
    # A share intent (no posting API): counted as self-reported until a tracked click confirms.
    self_reported: bool = False
    # Posted for the ambassador by campaign auto-share (opt-in), not by a click of theirs.
    automatic: bool = False

    def subject(self) -> str:
        return self.share_id


class ShareFailed(EventData):
    event_type = "share.failed"
    topic = "share"
    description = "Posting failed after retries (expired token, rejected by the network...)."

    share_id: str
    ambassador_id: str
    content_id: str | None = None
    network: str
    error: str
    retryable: bool = False
    # A stable code the app can branch on: reauth_required, rate_limited, rejected, ...
    reason: str | None = None
    campaign_id: str | None = None

    def subject(self) -> str:
        return self.share_id


class ReachMeasured(EventData):
    event_type = "reach.measured"
    topic = "share"
    description = "Latest cumulative metrics read from the network for one post."

    share_id: str
    ambassador_id: str
    content_id: str | None = None
    network: str
    impressions: int = 0
    reactions: int = 0
    comments: int = 0
    reshares: int = 0
    clicks: int = 0
    measured_at: datetime
    # False: an estimate (audience size x the tenant's reach rate), never mixed with measures.
    measured: bool = True
    campaign_id: str | None = None

    def subject(self) -> str:
        return self.share_id


class LinkClicked(EventData):
    event_type = "link.clicked"
    topic = "link"
    description = "Someone followed a tracked link (no visitor personal data is kept)."

    link_id: str
    share_id: str | None = None
    ambassador_id: str | None = None
    content_id: str | None = None
    campaign_id: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    clicked_at: datetime
    network: str | None = None
    # Salted, per-day hash of the visitor: counts unique visitors, identifies nobody.
    visitor: str | None = None
    # The click came from the company's own networks (tenant-configured address ranges).
    internal: bool = False

    def subject(self) -> str:
        return self.link_id


class ConversionRecorded(EventData):
    event_type = "conversion.recorded"
    topic = "conversion"
    description = "A careers site, ATS or CRM reported an application, lead or sign-up."

    conversion_id: str
    share_id: str
    ambassador_id: str | None = None
    content_id: str | None = None
    campaign_id: str | None = None
    network: str | None = None
    kind: Literal["application", "lead", "signup", "purchase", "other"]
    value: float | None = None
    currency: str | None = Field(default=None, max_length=3)
    occurred_at: datetime

    def subject(self) -> str:
        return self.share_id


class _ConnectionEvent(EventData):
    topic = "connection"

    connection_id: str
    ambassador_id: str
    network: str

    def subject(self) -> str:
        return self.connection_id


class ConnectionConnected(_ConnectionEvent):
    event_type = "connection.connected"
    description = "An ambassador connected a social account (no token is ever in an event)."

    audience_size: int | None = None
    connected_at: datetime


class ConnectionExpiring(_ConnectionEvent):
    event_type = "connection.expiring"
    description = "A connection's access ends soon and cannot be refreshed: ask to reconnect."

    expires_at: datetime


class ConnectionReauthRequired(_ConnectionEvent):
    event_type = "connection.reauth_required"
    description = "The network refused the connection's tokens: the ambassador must reconnect."

    reason: str


class ConnectionDisconnected(_ConnectionEvent):
    event_type = "connection.disconnected"
    description = "The ambassador (or erasure) disconnected the account; tokens are deleted."


# --- metrics -------------------------------------------------------------------------


class RewardGranted(EventData):
    event_type = "reward.granted"
    topic = "reward"
    description = "Points, a badge or a reward was granted to an ambassador."

    reward_id: str
    ambassador_id: str
    kind: Literal["points", "badge", "reward"]
    points: int = 0
    badge: str | None = None
    reason: str

    def subject(self) -> str:
        return self.ambassador_id


class DigestReady(EventData):
    event_type = "digest.ready"
    topic = "digest"
    description = "A periodic digest was computed and can be sent."

    digest_id: str
    period_start: datetime
    period_end: datetime
    audience: Literal["managers", "ambassadors"]
    summary: dict[str, float] = Field(default_factory=dict)

    def subject(self) -> str:
        return self.digest_id


CATALOGUE: dict[str, type[EventData]] = {
    cls.event_type: cls
    for cls in (
        ContentPublished,
        ContentRetired,
        CampaignLaunched,
        SubmissionApproved,
        AmbassadorInvited,
        AmbassadorEnrolled,
        AmbassadorUpdated,
        AmbassadorLeft,
        AmbassadorStageChanged,
        AmbassadorErased,
        HrEmployee,
        ShareRequested,
        ShareMade,
        ShareFailed,
        ReachMeasured,
        LinkClicked,
        ConversionRecorded,
        ConnectionConnected,
        ConnectionExpiring,
        ConnectionReauthRequired,
        ConnectionDisconnected,
        RewardGranted,
        DigestReady,
    )
}

DLQ_SUFFIX = ".dlq"


def model_for(event_type: str) -> type[EventData]:
    return CATALOGUE[event_type]


def all_topics(prefix: str = "", with_dlq: bool = True) -> list[str]:
    base = sorted({cls.topic for cls in CATALOGUE.values()})
    names = [prefix + t for t in base]
    return names + [n + DLQ_SUFFIX for n in names] if with_dlq else names
