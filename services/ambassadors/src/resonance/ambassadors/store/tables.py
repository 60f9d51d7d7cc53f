"""The ambassadors service's own tables (its database only)."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Date, DateTime, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from resonance.ambassadors.store.scale_indexes import employee_indexes, invitation_indexes
from resonance.common.plumbing import plumbing_tables


class AmbassadorsModel(SQLModel, registry=registry()):
    """Base of this service's tables, with a metadata of its own."""


def _now() -> datetime:
    return datetime.now(UTC)


def _id() -> str:
    return str(uuid.uuid4())


def _ts() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


def _created() -> Any:
    return Field(default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False))


def _json_list() -> Any:
    return Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )


def _json_dict() -> Any:
    return Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )


class Employee(AmbassadorsModel, table=True):
    """A person known from HR; an ambassador is an employee with an active enrolment."""

    __tablename__ = "employees"
    __table_args__ = (
        # Several doors may identify the same person by different keys: each is unique.
        Index(
            "uq_employees_tenant_number",
            "tenant",
            "employee_number",
            unique=True,
            postgresql_where=text("employee_number IS NOT NULL"),
        ),
        Index(
            "uq_employees_tenant_username",
            "tenant",
            text("lower(user_name)"),
            unique=True,
            postgresql_where=text("user_name IS NOT NULL"),
        ),
        Index(
            "uq_employees_tenant_external",
            "tenant",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
        Index("ix_employees_tenant_active", "tenant", "active"),
        Index(
            "ix_employees_scim_user_name",
            "tenant",
            text("lower(coalesce(scim ->> 'userName', user_name, email, employee_number, id))"),
        ),
        *employee_indexes(),
    )

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    employee_number: str | None = None
    external_id: str | None = None
    user_name: str | None = None
    login_subject: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    display_name: str | None = None
    email: str | None = None
    personal_email: str | None = None
    phone: str | None = None
    department: str | None = None
    division: str | None = None
    organization: str | None = None
    cost_center: str | None = None
    manager_ref: str | None = None
    brand: str | None = None
    entity: str | None = None
    job_family: str | None = None
    site: str | None = None
    country: str | None = None
    language: str | None = None
    worker_type: str | None = None
    age_band: str | None = None
    social_media_maturity: str | None = None
    active: bool = True
    hired_at: datetime | None = _ts()
    left_at: datetime | None = _ts()
    # A leaver announced ahead of the last day: participation ends then, not now.
    leaves_at: datetime | None = _ts()
    # Preferences (right to disconnect, channels, digest).
    languages: list[str] = _json_list()
    channels: list[str] = _json_list()
    timezone: str | None = None
    quiet_hours_start: str | None = None
    quiet_hours_end: str | None = None
    working_days: list[int] = _json_list()
    digest_frequency: str = "weekly"
    # Stage inputs.
    stage: str = "novice"
    shared_company: bool = False
    shared_market: bool = False
    created_own: bool = False
    last_share_at: datetime | None = _ts()
    # The last SCIM representation received, for attributes we keep but do not model.
    scim: dict[str, Any] = _json_dict()
    # Provisioned by an identity provider over SCIM (as opposed to known from HR only).
    scim_provisioned: bool = False
    scim_deleted: bool = False
    version: int = 1
    # When the last HR fact applied held (its effective time, never later than when it was
    # stated): an older fact arriving late or replayed does not overwrite a newer one.
    hr_effective_at: datetime | None = _ts()
    created_at: datetime = _created()
    updated_at: datetime = _created()
    erased_at: datetime | None = _ts()


class ScimGroup(AmbassadorsModel, table=True):
    __tablename__ = "scim_groups"
    __table_args__ = (Index("ix_scim_groups_tenant", "tenant"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    display_name: str
    external_id: str | None = None
    resource: dict[str, Any] = _json_dict()
    version: int = 1
    created_at: datetime = _created()
    updated_at: datetime = _created()


class WebhookSecret(AmbassadorsModel, table=True):
    __tablename__ = "hr_webhook_secrets"

    tenant: str = Field(primary_key=True)
    # Sealed with the service's secret keys (resonance.common.secrets_box), never plaintext.
    sealed_secret: str
    updated_at: datetime = _created()


class WebhookDelivery(AmbassadorsModel, table=True):
    """Signatures already accepted inside the replay window."""

    __tablename__ = "hr_webhook_deliveries"

    tenant: str = Field(primary_key=True)
    signature: str = Field(primary_key=True)
    delivery_id: str | None = None
    received_at: datetime = _created()


class Programme(AmbassadorsModel, table=True):
    __tablename__ = "programmes"
    __table_args__ = (Index("ix_programmes_tenant", "tenant"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    display_name: str
    kind: str
    description: str | None = None
    audience: dict[str, Any] = _json_dict()
    capacity: int | None = None
    charter_version: str = "1"
    onboarding_delay_s: float | None = None
    invite_joiners: bool = True
    archived: bool = False
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Cohort(AmbassadorsModel, table=True):
    __tablename__ = "cohorts"
    __table_args__ = (Index("ix_cohorts_tenant_programme", "tenant", "programme_id"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    programme_id: str
    name: str
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date = Field(sa_column=Column(Date, nullable=False))
    status: str = "open"
    previous_cohort_id: str | None = None
    created_at: datetime = _created()
    closed_at: datetime | None = _ts()


class Nomination(AmbassadorsModel, table=True):
    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("cohort_id", "employee_id"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    cohort_id: str
    employee_id: str
    nominated_by: str
    note: str | None = None
    invitation_id: str | None = None
    created_at: datetime = _created()


class Invitation(AmbassadorsModel, table=True):
    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_due", "status", "not_before"),
        Index("ix_invitations_tenant_employee", "tenant", "employee_id"),
        # One open invitation per person, programme and cohort at a time.
        Index(
            "uq_invitations_open",
            "tenant",
            "programme_id",
            "employee_id",
            text("coalesce(cohort_id, '')"),
            unique=True,
            postgresql_where=text("status IN ('scheduled', 'sent')"),
        ),
        *invitation_indexes(),
    )

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    programme_id: str
    employee_id: str
    cohort_id: str | None = None
    reason: str
    # scheduled → sent → accepted | declined; scheduled/sent → cancelled
    status: str = "scheduled"
    not_before: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    sent_at: datetime | None = _ts()
    responded_at: datetime | None = _ts()
    created_at: datetime = _created()


class Enrolment(AmbassadorsModel, table=True):
    __tablename__ = "enrolments"
    __table_args__ = (
        Index(
            "uq_enrolments_active",
            "tenant",
            "programme_id",
            "employee_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_enrolments_tenant_employee", "tenant", "employee_id"),
    )

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    programme_id: str
    employee_id: str
    cohort_id: str | None = None
    status: str = "active"
    enrolled_at: datetime = _created()
    left_at: datetime | None = _ts()
    left_reason: str | None = None


class ConsentRecord(AmbassadorsModel, table=True):
    """Append-only: every grant and withdrawal is kept."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consents_tenant_employee", "tenant", "employee_id"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    employee_id: str
    programme_id: str
    action: str  # granted | withdrawn
    charter_version: str
    networks: list[str] = _json_list()
    reason: str | None = None
    recorded_at: datetime = _created()


class Activity(AmbassadorsModel, table=True):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_tenant", "tenant"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    programme_id: str | None = None
    title: str
    kind: str  # event | workshop
    mode: str  # in_person | online
    location: str | None = None
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime | None = _ts()
    seats: int
    created_at: datetime = _created()


class Registration(AmbassadorsModel, table=True):
    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("activity_id", "employee_id"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    activity_id: str
    employee_id: str
    status: str  # registered | waitlisted | cancelled
    attended: bool | None = None
    registered_at: datetime = _created()
    updated_at: datetime = _created()


class ErasureTombstone(AmbassadorsModel, table=True):
    """An identifier of an erased person, hashed: HR facts stated before the erasure (late,
    replayed) do not bring them back. Nothing readable about the person is kept."""

    __tablename__ = "erasure_tombstones"

    tenant: str = Field(primary_key=True)
    identity_hash: str = Field(primary_key=True)
    erased_at: datetime = _created()


class PersonalDataAudit(AmbassadorsModel, table=True):
    """Staff acting on someone else's personal data: who, what, on whom, when."""

    __tablename__ = "personal_data_audit"
    __table_args__ = (Index("ix_personal_data_audit_tenant_at", "tenant", "at", "id"),)

    id: str = Field(default_factory=_id, primary_key=True)
    tenant: str
    actor: str
    actor_roles: list[str] = _json_list()
    action: str
    employee_id: str
    at: datetime = _created()


metadata = AmbassadorsModel.metadata
plumbing = plumbing_tables(metadata)
