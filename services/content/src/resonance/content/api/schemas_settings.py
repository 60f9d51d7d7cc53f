"""Request and response bodies of the tenant settings routes."""

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

Term = Annotated[str, StringConstraints(max_length=200)]


class SettingsIn(BaseModel):
    approval_required: bool = Field(
        default=False, description="Every brand's items need a programme manager's approval."
    )
    approval_required_brands: list[Term] = Field(default_factory=list, max_length=200)
    blocked_terms: list[Term] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases refused in captions and submissions (case-insensitive).",
    )
    disclosure_text: str | None = Field(
        default=None, max_length=100, description="Appended by the sharing service, e.g. #employee"
    )
    mix_target_company: float = Field(default=0.2, ge=0, le=1)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "approval_required": False,
                    "approval_required_brands": ["acme-bank"],
                    "blocked_terms": ["guaranteed returns", "insider"],
                    "disclosure_text": "#employee",
                    "mix_target_company": 0.2,
                }
            ]
        }
    }


class SettingsOut(SettingsIn):
    tenant: str
    private_links_allowed: bool = Field(
        description="Whether link previews and feeds may reach private addresses: the "
        "operator's setting (local stacks only), not the tenant's."
    )
