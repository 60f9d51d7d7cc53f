"""SCIM resources as stored and as shown: an employee as a User, a group as a Group.

The last representation received is kept (passwords and server-set attributes aside); what
the server owns (id, meta, active when HR says someone left) is written over it when shown.
"""

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from scim2_models import Context, Group

from resonance.ambassadors.domain.scim_mapping import (
    CORE_GROUP,
    CORE_USER,
    ENTRA_TOLERANT,
    ScimUser,
    normalise_entra,
)
from resonance.ambassadors.store.tables import Employee, ScimGroup


class StoredResourceInvalid(Exception):
    """A stored representation the SCIM models refuse: our fault, never the client's."""


def _iso(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).isoformat().replace("+00:00", "Z")


def _meta(kind: str, row: Employee | ScimGroup, location: str) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "created": _iso(row.created_at),
        "lastModified": _iso(row.updated_at),
        "location": location,
        "version": f'W/"{row.version}"',
    }


def user_document(row: Employee, base: str) -> dict[str, Any]:
    """The User as a plain document, located under `base` (the /scim/v2 URL)."""
    doc = dict(row.scim or {})
    doc.setdefault("schemas", [CORE_USER])
    doc["userName"] = (
        doc.get("userName") or row.user_name or row.email or row.employee_number or row.id
    )
    doc["id"] = row.id
    # Unassigned (removed by PATCH) stays unassigned, unless HR said the person left.
    if "active" in doc or not row.active:
        doc["active"] = row.active
    doc["meta"] = _meta("User", row, f"{base}/Users/{row.id}")
    return doc


def user_resource(row: Employee, base: str) -> ScimUser:
    try:
        return ScimUser.model_validate(
            normalise_entra(user_document(row, base)), scim_policy=ENTRA_TOLERANT
        )
    except ValidationError as exc:
        raise StoredResourceInvalid("stored user cannot be represented") from exc


def stored_user(user: ScimUser) -> dict[str, Any]:
    """What is kept of a User received: no password (people sign in through the identity
    provider), nothing the server sets."""
    doc: dict[str, Any] = user.model_dump(
        scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=ENTRA_TOLERANT
    )
    for key in ("password", "id", "meta", "groups"):
        doc.pop(key, None)
    return doc


def group_document(row: ScimGroup, base: str) -> dict[str, Any]:
    doc = dict(row.resource or {})
    doc["schemas"] = [CORE_GROUP]
    doc["id"] = row.id
    doc["displayName"] = row.display_name
    doc["meta"] = _meta("Group", row, f"{base}/Groups/{row.id}")
    return doc


def group_resource(row: ScimGroup, base: str) -> Group:
    try:
        return Group.model_validate(group_document(row, base), scim_policy=ENTRA_TOLERANT)
    except ValidationError as exc:
        raise StoredResourceInvalid("stored group cannot be represented") from exc


def stored_group(group: Group) -> dict[str, Any]:
    doc: dict[str, Any] = group.model_dump(
        scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=ENTRA_TOLERANT
    )
    doc.pop("id", None)
    doc.pop("meta", None)
    return doc
