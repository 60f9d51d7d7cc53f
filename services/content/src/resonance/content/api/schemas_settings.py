"""Request and response bodies of the tenant settings routes."""

from pydantic import BaseModel, Field


class SettingsIn(BaseModel):
    approval_required: bool = Field(
        default=False, description="Every brand's items need a programme manager's approval."
    )
    approval_required_brands: list[str] = Field(default_factory=list, max_length=200)
    blocked_terms: list[str] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases refused in captions and submissions (case-insensitive).",
    )
    disclosure_text: str | None = Field(
        default=None, max_length=100, description="Appended by the sharing service, e.g. #employee"
    )
    mix_target_company: float = Field(default=0.2, ge=0, le=1)
    allow_private_links: bool | None = Field(
        default=None,
        description="Let link previews and feeds reach private/loopback addresses (local stacks "
        "only). Null: the service's default.",
    )

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
    private_links_allowed: bool
