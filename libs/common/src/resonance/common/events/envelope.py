"""The event envelope, using CloudEvents attribute names (structured JSON mode on Kafka)."""

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every event payload. Subclasses declare their contract in class variables."""

    model_config = ConfigDict(extra="forbid")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    topic: ClassVar[str]
    description: ClassVar[str] = ""

    def subject(self) -> str:
        """The aggregate id: the Kafka key, so per-entity order holds."""
        raise NotImplementedError

    @classmethod
    def dataschema(cls) -> str:
        return f"urn:resonance:event:{cls.event_type}:v{cls.version}"


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    specversion: str = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    dataschema: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str
    tenant: str
    datacontenttype: str = "application/json"
    data: dict[str, Any]

    @property
    def version(self) -> int:
        return int(self.dataschema.rsplit(":v", 1)[-1])

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Envelope":
        return cls.model_validate_json(raw)


def new_envelope(source: str, tenant: str, data: EventData) -> Envelope:
    return Envelope(
        source=source,
        type=data.event_type,
        dataschema=data.dataschema(),
        subject=data.subject(),
        tenant=tenant,
        data=data.model_dump(mode="json"),
    )
