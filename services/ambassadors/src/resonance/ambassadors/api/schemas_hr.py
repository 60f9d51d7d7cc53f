"""HR intake (webhook and its secret): request and response bodies."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NoticeAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"employee_id": "5f1c...", "outcome": "joiner"}]}
    )

    employee_id: str | None = Field(description="None when the notice was ignored")
    outcome: str = Field(
        description="joiner, rehire, mover, leaver, unchanged; ignored_erased (about someone "
        "erased since) or ignored_stale (older than what was already applied)"
    )


class SecretIn(BaseModel):
    secret: str | None = Field(
        default=None,
        min_length=32,
        max_length=256,
        description="Leave empty to have a strong secret generated.",
    )
    model_config = ConfigDict(json_schema_extra={"examples": [{}]})


class SecretOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"tenant": "acme", "secret": "q8Zs...", "updated_at": "2026-05-04T10:00:00Z"}
            ]
        }
    )

    tenant: str
    secret: str
    updated_at: datetime
    signature_header: str = (
        "X-Resonance-Signature: sha256=<hex HMAC-SHA256 of timestamp + '.' + body>"
    )
    timestamp_header: str = "X-Resonance-Timestamp: <unix seconds>"


class SecretStatus(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"tenant": "acme", "configured": True, "updated_at": "2026-05-04T10:00:00Z"}
            ]
        }
    )

    tenant: str
    configured: bool
    updated_at: datetime | None
