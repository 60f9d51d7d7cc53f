"""Campaign auto-share opt-ins: an ambassador lets us post campaign content for them on a
network (recorded like consent, with its time; revocable at any moment)."""

from typing import Annotated

from fastapi import APIRouter, Path

from resonance.sharing.api.deps import Ambassador, Rt
from resonance.sharing.api.schemas_autoshare import AutoshareChoiceOut, AutoshareChoicesOut
from resonance.sharing.service import autoshare

router = APIRouter(prefix="/v1/autoshare", tags=["auto-share"])

NetworkName = Annotated[str, Path(pattern=r"^[a-z]{1,20}$", examples=["linkedin"])]


def _choice(choice: autoshare.Choice) -> AutoshareChoiceOut:
    return AutoshareChoiceOut(
        network=choice.network, opted_in=choice.opted_in, recorded_at=choice.recorded_at
    )


@router.get("", response_model=AutoshareChoicesOut, summary="Your auto-share choices")
async def mine(principal: Ambassador, rt: Rt) -> AutoshareChoicesOut:
    async with rt.unit_of_work() as uow:
        found = await autoshare.choices(uow, principal)
    return AutoshareChoicesOut(choices=[_choice(c) for c in found])


@router.put(
    "/{network}",
    response_model=AutoshareChoiceOut,
    summary="Opt in: campaign content may be posted for you on this network",
    description=(
        "When a campaign launches, its items are scheduled for you over the campaign window, "
        "inside your working hours and time zone and within the caps, each with a caption "
        "variant. Needs your consent to that network and, to be posted, a connected account."
    ),
    responses={
        403: {"description": "Not enrolled, or no consent to that network"},
        422: {"description": "Unknown network, or one without a posting API"},
    },
)
async def opt_in(network: NetworkName, principal: Ambassador, rt: Rt) -> AutoshareChoiceOut:
    async with rt.unit_of_work() as uow:
        choice = await autoshare.opt_in(uow, principal, network)
    return _choice(choice)


@router.delete(
    "/{network}",
    response_model=AutoshareChoiceOut,
    summary="Opt out: nothing more is scheduled for you on this network",
    description="Shares already scheduled stay listed in /v1/shares, where you can cancel them.",
    responses={422: {"description": "Unknown network"}},
)
async def opt_out(network: NetworkName, principal: Ambassador, rt: Rt) -> AutoshareChoiceOut:
    async with rt.unit_of_work() as uow:
        choice = await autoshare.opt_out(uow, principal, network)
    return _choice(choice)
