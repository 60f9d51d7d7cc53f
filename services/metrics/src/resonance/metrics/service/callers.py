"""Who is calling, and which period they ask for."""

from resonance.common.auth import Principal
from resonance.common.domain_errors import Invalid
from resonance.metrics.domain.periods import Period
from resonance.metrics.domain.windows import PeriodRequest, WindowRefusal, resolve
from resonance.metrics.service import Uow
from resonance.metrics.service.config import TenantConfig
from resonance.metrics.store import people


async def me(uow: Uow, principal: Principal) -> str:
    """The caller's ambassador_id: tokens carry the identity provider's subject, linked to the
    person by ambassador.enrolled/updated; a person not projected yet is their subject."""
    found = await people.ambassador_id_of(uow.session, principal.tenant, principal.subject)
    return found or principal.subject


def period_of(request: PeriodRequest, config: TenantConfig, uow: Uow) -> Period:
    try:
        return resolve(request, uow.now(), config.timezone)
    except WindowRefusal as exc:
        raise Invalid(str(exc), slug="invalid-period") from exc
