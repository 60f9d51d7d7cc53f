"""Indexes of SCIM filters and segment counts at HR scale, as revision a4d8c2e6f0b1 creates
them (declared on the tables so that the metadata matches the database).

Each holds exactly an expression store/scim_filter.py or store/segments.py compares (the
planner matches an expression index only on an identical expression), on the rows those
queries read: live SCIM users, or current employees."""

from sqlalchemy import Index, text

from resonance.ambassadors.domain.scim_mapping import ENTERPRISE

_LIVE = text("scim_deleted IS false AND erased_at IS NULL")
_CURRENT = text("active IS true AND erased_at IS NULL")
_USER_NAME = "lower(coalesce(scim ->> 'userName', user_name, email, employee_number, id))"
_SCIM_EQUALITY = {
    "department": f"lower((scim -> '{ENTERPRISE}') ->> 'department')",
    "family_name": "lower((scim -> 'name') ->> 'familyName')",
    "external_id": "scim ->> 'externalId'",
}
_SCIM_TRIGRAMS = {"user_name": _USER_NAME, "display_name": "lower(scim ->> 'displayName')"}
_AUDIENCE = ("country", "brand", "entity", "site", "job_family")


def employee_indexes() -> tuple[Index, ...]:
    # Lists order by (created_at, id): an equality filter walks the index in that order.
    scim_equality = (
        Index(
            f"ix_employees_scim_{name}",
            "tenant",
            text(f"({expression})"),
            "created_at",
            "id",
            postgresql_where=_LIVE,
        )
        for name, expression in _SCIM_EQUALITY.items()
    )
    # `co`/`sw`/`ew` compile to LIKE, which pg_trgm answers in any collation.
    scim_trigrams = (
        Index(
            f"ix_employees_scim_{name}_trgm",
            text(f"({expression}) gin_trgm_ops"),
            postgresql_using="gin",
            postgresql_where=_LIVE,
        )
        for name, expression in _SCIM_TRIGRAMS.items()
    )
    # The column itself is included: a count on one audience rule is an index-only scan.
    audience = (
        Index(
            f"ix_employees_current_{column}",
            "tenant",
            text(f"lower(btrim({column}))"),
            "created_at",
            "id",
            postgresql_include=[column],
            postgresql_where=_CURRENT,
        )
        for column in _AUDIENCE
    )
    # Funnel: current employees (and their last share) joined to a programme's people.
    current = Index(
        "ix_employees_current_id",
        "tenant",
        "id",
        postgresql_include=["last_share_at"],
        postgresql_where=_CURRENT,
    )
    return (*scim_equality, *scim_trigrams, *audience, current)


def invitation_indexes() -> tuple[Index, ...]:
    return (
        Index(
            "ix_invitations_programme_sent",
            "tenant",
            "programme_id",
            "employee_id",
            postgresql_where=text("sent_at IS NOT NULL"),
        ),
    )
