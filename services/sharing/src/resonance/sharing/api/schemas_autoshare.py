"""Response bodies of the auto-share opt-in routes."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NetworkKey = Annotated[str, StringConstraints(min_length=1, max_length=20)]


class AutoshareChoiceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"network": "linkedin", "opted_in": True, "recorded_at": "2026-12-01T10:00:00Z"}
            ]
        }
    )

    network: str
    opted_in: bool
    recorded_at: datetime = Field(description="When this choice was recorded.")


class AutoshareChoicesOut(BaseModel):
    choices: list[AutoshareChoiceOut]
