"""Between a share row and the domain's share state (domain/share_state.py decides)."""

from resonance.sharing.domain.share_state import FailureReason, Share, ShareStatus
from resonance.sharing.store.tables import POSTING
from resonance.sharing.store.tables import Share as ShareRow


def state_of(row: ShareRow) -> Share:
    return Share(
        status=ShareStatus(row.status),
        scheduled_for=row.scheduled_for,
        attempts=row.attempts,
        # The attempt in flight is the latest one (its number, as text).
        attempt_id=str(row.attempts) if row.status == POSTING else None,
        post_id=row.post_id,
        permalink=row.post_url,
        posted_at=row.posted_at,
        failure=FailureReason(row.reason) if row.reason in set(FailureReason) else None,
        failure_detail=row.error,
    )


def apply_state(row: ShareRow, state: Share) -> None:
    row.status = state.status.value
    if state.scheduled_for is not None:
        row.scheduled_for = state.scheduled_for
    row.attempts = state.attempts
    row.post_id = state.post_id
    row.post_url = state.permalink
    row.posted_at = state.posted_at
    row.reason = state.failure.value if state.failure else None
    row.error = state.failure_detail[:500] if state.failure_detail else None
    row.version += 1
