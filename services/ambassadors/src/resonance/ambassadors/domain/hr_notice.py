"""The signed webhook's payload: an `hr.employee` fact with the HR system's own delivery id.

Parsed only once its signature held, so an unsigned stranger learns nothing about the schema.
"""

from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from resonance.ambassadors.domain.errors import NoticeInvalid
from resonance.common.events.catalogue import HrEmployee

NOTICE_EXAMPLE: dict[str, Any] = {
    "delivery_id": "evt_01HF8Q2ZP7",
    "change": "joiner",
    "employee_number": "100871",
    "given_name": "Karim",
    "family_name": "Benali",
    "email": "karim.benali@acme.example",
    "department": "Logistics",
    "site": "Lyon",
    "country": "FR",
    "language": "fr",
    "worker_type": "frontline",
    "age_band": "25_34",
}


class HrNotice(HrEmployee):
    """An `hr.employee` fact, as the HR system posts it, with its own delivery id."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [NOTICE_EXAMPLE]})

    delivery_id: str | None = Field(default=None, max_length=200)

    def fact(self) -> HrEmployee:
        return HrEmployee.model_validate(self.model_dump(exclude={"delivery_id"}))


def parse_notice(body: bytes) -> HrNotice:
    try:
        return HrNotice.model_validate_json(body)
    except ValidationError as exc:
        errors = [
            {"location": [str(p) for p in e.get("loc", ())], "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        raise NoticeInvalid(f"{len(errors)} invalid field(s)", errors=errors) from exc
