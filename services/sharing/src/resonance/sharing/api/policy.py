"""The tenant's sharing policy: blocked terms, daily caps per ambassador per network, reach
rates for estimates, the UTM medium of tracked links and the organisation's own address ranges
(programme managers)."""

from fastapi import APIRouter

from resonance.sharing.api.deps import ProgrammeManager, Rt
from resonance.sharing.api.schemas_policy import PolicyIn, PolicyOut
from resonance.sharing.service import policy
from resonance.sharing.service.policy import DEFAULT_CAP_KEY, Policy, PolicyUpdate

router = APIRouter(prefix="/v1/sharing-policy", tags=["policy"])


def _policy(found: Policy) -> PolicyOut:
    return PolicyOut(
        blocked_terms=list(found.blocked_terms),
        daily_caps=dict(found.caps.per_network),
        default_daily_cap=found.caps.default,
        reach_rates={k: float(v) for k, v in found.reach_rates.items()},
        utm_medium=found.utm_medium,
        internal_networks=list(found.internal_networks),
    )


@router.get("", response_model=PolicyOut, summary="Your organisation's sharing policy")
async def read_policy(principal: ProgrammeManager, rt: Rt) -> PolicyOut:
    async with rt.unit_of_work() as uow:
        found = await policy.policy_of(uow, principal.tenant)
    return _policy(found)


@router.put(
    "",
    response_model=PolicyOut,
    summary="Replace your organisation's sharing policy",
    responses={
        422: {
            "description": "Unknown network (`unknown-network`), an address range that is "
            "not one (`invalid-address-range`) or bad values"
        }
    },
)
async def replace_policy(body: PolicyIn, principal: ProgrammeManager, rt: Rt) -> PolicyOut:
    update = PolicyUpdate(
        blocked_terms=list(body.blocked_terms),
        daily_caps={k: v for k, v in body.daily_caps.items() if k != DEFAULT_CAP_KEY},
        default_daily_cap=body.default_daily_cap,
        reach_rates=dict(body.reach_rates),
        utm_medium=body.utm_medium,
        internal_networks=list(body.internal_networks),
    )
    async with rt.unit_of_work() as uow:
        found = await policy.update_policy(uow, principal, update)
    return _policy(found)
