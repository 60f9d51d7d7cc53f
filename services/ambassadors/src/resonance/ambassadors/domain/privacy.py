"""What identifies a person, and so goes on erasure (pure). Ids and aggregate facts (stage,
programmes, counts) stay, so that the numbers of the past do not change."""

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
)
