"""Every refusal this service gives that needs more than a plain NotFound / Conflict / Invalid.

The slug is the stable problem `type` clients branch on; the title is what people read. Both
are part of the public contract: change neither without a new slug.
"""

from resonance.common.domain_errors import Conflict, DomainError, Forbidden, Invalid


class ProgrammeClosed(Conflict):
    title = "Programme closed"
    default_slug = "programme-closed"


class ProgrammeArchived(Conflict):
    title = "Programme archived"
    default_slug = "programme-archived"


class ProgrammeFull(Conflict):
    title = "Programme full"
    default_slug = "programme-full"


class NominationOnly(Conflict):
    title = "Nomination only"
    default_slug = "nomination-only"


class InvitationNotOpen(Conflict):
    title = "Invitation not open"
    default_slug = "invitation-not-open"


class CharterVersionMismatch(Conflict):
    title = "Charter version mismatch"
    default_slug = "charter-version-mismatch"


class NotAnActiveEmployee(Conflict):
    title = "Not an active employee"
    default_slug = "not-an-active-employee"


class CohortClosed(Conflict):
    title = "Cohort closed"
    default_slug = "cohort-closed"


class AlreadyNominated(Conflict):
    title = "Already nominated"
    default_slug = "already-nominated"


class SubjectInUse(Conflict):
    title = "Subject in use"
    default_slug = "subject-in-use"


class ReplayedDelivery(Conflict):
    title = "Replayed delivery"
    default_slug = "replayed-delivery"


class ConcurrentUpdate(Conflict):
    title = "Concurrent update"
    default_slug = "concurrent-update"


class ReservedForProgramme(Forbidden):
    title = "Reserved for the programme"
    default_slug = "reserved-for-the-programme"


class UnreachableChannel(Invalid):
    title = "Unreachable channel"
    default_slug = "unreachable-channel"


class IncompleteQuietHours(Invalid):
    title = "Incomplete quiet hours"
    default_slug = "incomplete-quiet-hours"


class TimeZoneRequired(Invalid):
    title = "Time zone required"
    default_slug = "time-zone-required"


class InvalidNextCohort(Invalid):
    title = "Invalid next cohort"
    default_slug = "invalid-next-cohort"


class NoticeInvalid(Invalid):
    """A signed HR notice whose body is not an `hr.employee` fact (`errors` lists why)."""

    title = "Request validation failed"
    default_slug = "request-validation-failed"


class SignatureRefused(DomainError):
    """The HR webhook's signature does not hold (`reason`: missing, malformed, stale,
    bad_signature). None of the kinds above fits an authentication failure: the webhook
    router answers it as one."""

    title = "Invalid signature"
    default_slug = "invalid-signature"

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason
