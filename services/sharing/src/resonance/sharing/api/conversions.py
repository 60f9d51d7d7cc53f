"""Conversions: careers sites, ATS and CRM report what a shared link brought."""

from fastapi import APIRouter, status

from resonance.sharing.api.deps import Integration, Rt
from resonance.sharing.api.schemas_conversions import ConversionIn, ConversionOut
from resonance.sharing.service import conversions

router = APIRouter(prefix="/v1/conversions", tags=["conversions"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversionOut,
    summary="Report an application, lead or sign-up that came through a share",
    description=(
        "For integrations (role `integration`). `share_id` is the `utm_content` parameter of "
        "the visit. Emits `conversion.recorded`. A conversion with an `external_ref` already "
        "reported answers the first one (so does a retried `Idempotency-Key`)."
    ),
    responses={
        404: {"description": "No such share in your tenant (`share-not-found`)"},
        422: {
            "description": "A time in the future (`time-in-future`), a value without currency "
            "(`currency-required`), or a malformed body"
        },
    },
)
async def report(body: ConversionIn, principal: Integration, rt: Rt) -> ConversionOut:
    command = conversions.ConversionCommand(
        share_id=body.share_id,
        kind=body.kind,
        value=body.value,
        currency=body.currency,
        occurred_at=body.occurred_at,
        external_ref=body.external_ref,
    )
    async with rt.unit_of_work() as uow:
        row = await conversions.record_conversion(uow, principal, command)
    return ConversionOut(
        id=row.id,
        share_id=row.share_id,
        kind=row.kind,
        value=row.value,
        currency=row.currency,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
    )
