"""What identifies a person, and so goes on erasure (pure). Ids and aggregate facts (stage,
programmes, counts) stay, so that the numbers of the past do not change."""

import hashlib
from collections.abc import Iterable

PERSONAL_FIELDS = (
    "employee_number",
    "external_id",
    "user_name",
    "login_subject",
    "given_name",
    "family_name",
    "display_name",
    "email",
    "personal_email",
    "phone",
    "manager_ref",
    "cost_center",
    "age_band",
    "timezone",
    # Attributes that single someone out in a small team, and the person's own settings.
    "department",
    "division",
    "organization",
    "brand",
    "entity",
    "job_family",
    "site",
    "country",
    "language",
    "worker_type",
    "social_media_maturity",
    "quiet_hours_start",
    "quiet_hours_end",
    # Dates of a working life.
    "hired_at",
    "leaves_at",
    "last_share_at",
    "hr_effective_at",
)
# Lists of the person's own preferences, emptied on erasure.
PERSONAL_LISTS = ("languages", "channels", "working_days")

# Staff may read or change someone else's record; each such action is audited under one of
# these names.
AUDITED_ACTIONS = ("read", "change", "export", "erase", "consents", "link_login")


def identity_hashes(tenant: str, identifiers: Iterable[tuple[str, str | None]]) -> set[str]:
    """Hashes of the identifiers HR doors recognise a person by (kind, value): kept after an
    erasure so a late fact is recognised without keeping who it was about in clear."""
    return {
        hashlib.sha256(f"{tenant}\x00{kind}\x00{value.strip().casefold()}".encode()).hexdigest()
        for kind, value in identifiers
        if value and value.strip()
    }


def hr_identifiers(
    employee_number: str | None, external_id: str | None, user_name: str | None
) -> list[tuple[str, str | None]]:
    return [
        ("employee_number", employee_number),
        ("external_id", external_id),
        ("user_name", user_name),
    ]
