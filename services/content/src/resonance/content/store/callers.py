"""Who an ambassador's access token belongs to.

Tokens carry the identity provider's subject; everything else (ambassador.* events, shares,
submissions) names the person by the ambassadors service's `ambassador_id`. The projection
links the two through `login_subject`, set from ambassador.enrolled/updated.
"""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The projection row of the caller: the one whose login_subject is the token's subject,
# else the one whose ambassador_id is and that has no other login subject (a token whose
# subject merely equals someone's id is not that person); the most recent wins if the
# identity provider's subject was ever re-linked.
CALLER_ROW_SQL = (
    "SELECT * FROM ambassadors "
    "WHERE tenant = :tenant AND (login_subject = :subject "
    "OR (ambassador_id = :subject AND login_subject IS NULL)) "
    "ORDER BY login_subject IS NOT DISTINCT FROM :subject DESC, updated_at DESC LIMIT 1"
)


async def ambassador_id_of(session: AsyncSession, tenant: str, subject: str) -> str:
    """The caller's ambassador_id, or the subject itself for a person not yet projected."""
    found = (
        await session.execute(
            text(f"SELECT c.ambassador_id FROM ({CALLER_ROW_SQL}) AS c"),  # noqa: S608
            {"tenant": tenant, "subject": subject},
        )
    ).scalar_one_or_none()
    return str(found) if found is not None else subject
