"""Privacy: response bodies."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

EXPORT_EXAMPLE: dict[str, Any] = {
    "employee": {"id": "5f1c...", "given_name": "Léa", "stage": "sharer"},
    "consents": [{"action": "granted", "charter_version": "2026-01"}],
    "enrolments": [],
    "invitations": [],
    "nominations": [],
    "registrations": [],
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
