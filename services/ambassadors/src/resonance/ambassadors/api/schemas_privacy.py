"""Privacy: response bodies."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from resonance.ambassadors.service.privacy import AuditPage

EXPORT_EXAMPLE: dict[str, Any] = {
    "employee": {"id": "5f1c...", "given_name": "Léa", "stage": "sharer"},
    "consents": [{"action": "granted", "charter_version": "2026-01"}],
    "enrolments": [],
    "invitations": [],
    "nominations": [],
    "registrations": [],
    "groups": [{"id": "8a1e...", "display_name": "Lyon office"}],
    "staff_actions": [],
    "exported_at": "2026-05-04T10:00:00+00:00",
}


class ErasureOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ambassador_id": "5f1c...",
                    "erased_at": "2026-05-04T10:00:00Z",
                    "event": "ambassador.erased",
                }
            ]
        }
    )

    ambassador_id: str
    erased_at: datetime
    event: str = "ambassador.erased"


class AuditEntry(BaseModel):
    id: str
    actor: str
    actor_roles: list[str]
    action: str
    ambassador_id: str
    at: datetime


class AuditPageOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "c0de...",
                            "actor": "pm-sub",
                            "actor_roles": ["program_manager"],
                            "action": "export",
                            "ambassador_id": "5f1c...",
                            "at": "2026-05-04T10:00:00Z",
                        }
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )

    items: list[AuditEntry]
    next_cursor: str | None


def audit_page_out(page: AuditPage) -> AuditPageOut:
    return AuditPageOut(
        items=[
            AuditEntry(
                id=e.id,
                actor=e.actor,
                actor_roles=list(e.actor_roles),
                action=e.action,
                ambassador_id=e.employee_id,
                at=e.at,
            )
            for e in page.entries
        ],
        next_cursor=page.next_cursor,
    )
