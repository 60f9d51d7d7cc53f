"""Who is calling: the ambassador behind an access token.

Tokens carry the identity provider's subject; events name people by the ambassadors
service's `ambassador_id`. The projection links the two (`login_subject`, from
ambassador.enrolled/updated); a person not projected yet is known by their subject.
"""

from resonance.common.auth import Principal
from resonance.common.domain_errors import Forbidden
from resonance.common.unit_of_work import UnitOfWork
from resonance.sharing.service import projection_rules as rules
from resonance.sharing.settings import SharingSettings
from resonance.sharing.store import views
from resonance.sharing.store.share_views import AmbassadorView


class NotEnrolled(Forbidden):
    default_slug = "not-enrolled"


async def ambassador_id_of(uow: UnitOfWork[SharingSettings], principal: Principal) -> str:
    found = await views.ambassador_id_for_subject(uow.session, principal.tenant, principal.subject)
    return found if found is not None else principal.subject


async def enrolled_caller(
    uow: UnitOfWork[SharingSettings], principal: Principal, *, lock: bool = False
) -> AmbassadorView:
    """The caller's projected person, who must be an active, enrolled ambassador. `lock`
    holds their row until the transaction ends (two requests of one person then count
    against the caps one after the other)."""
    person = await views.caller(uow.session, principal.tenant, principal.subject, lock=lock)
    return require_enrolled(person)


def require_enrolled(person: AmbassadorView | None) -> AmbassadorView:
    """The caller's projected person if they are an active, enrolled ambassador."""
    if person is None or not rules.enrolled(
        person.memberships, person.employee_active, person.erased_at is not None
    ):
        raise NotEnrolled("you are not an enrolled ambassador of a programme")
    return person
