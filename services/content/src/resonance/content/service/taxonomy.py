"""The targeting values that exist in the tenant (brands, sites, departments, job families,
countries...), so that an editor picks among them instead of guessing spellings."""

from resonance.common.auth import Principal
from resonance.content.domain.targeting import clean_values
from resonance.content.service import Uow
from resonance.content.store.audience_values import values_in_use

# At most this many values per field (a tenant with more sites than that searches).
MAX_VALUES = 1000


async def targeting_values(uow: Uow, principal: Principal) -> dict[str, list[str]]:
    """Per targeting field, the values the tenant's ambassadors have; spellings that differ
    only by case are one value (targeting ignores case)."""
    found = await values_in_use(uow.session, principal.tenant, MAX_VALUES)
    return {field: clean_values(values) for field, values in found.items()}
