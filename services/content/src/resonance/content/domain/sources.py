"""Who may configure a feed source to publish on its own."""

from resonance.common.domain_errors import Forbidden
from resonance.content.domain.workflow import APPROVER_ROLES


def check_auto_approve(auto_approve: bool, roles: frozenset[str]) -> None:
    """Auto-approval skips the review: only those who may approve can turn it on."""
    if auto_approve and not roles & APPROVER_ROLES:
        raise Forbidden("only a programme manager may auto-approve a source")
