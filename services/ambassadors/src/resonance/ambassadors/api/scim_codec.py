"""SCIM documents in and out of /scim/v2: requests parsed into scim2-models resources (or a
SCIM error), resources dumped as the client asked (`attributes`, `excludedAttributes`)."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from scim2_models import Context, Group, PatchOp, ResponseParameters, SCIMException, ScimFilter

from resonance.ambassadors.api.scim_support import (
    ScimError,
    attribute_list,
    list_response,
    scim_response,
)
from resonance.ambassadors.domain.scim_mapping import ENTRA_TOLERANT, ScimUser, normalise_entra
from resonance.ambassadors.service.scim_search import Found


def scim_base(request: Request) -> str:
    """Where resources live, for their `meta.location`."""
    return str(request.base_url).rstrip("/") + "/scim/v2"


def parse_user(payload: dict[str, Any], ctx: Context) -> ScimUser:
    try:
        return ScimUser.model_validate(
            normalise_entra(payload), scim_ctx=ctx, scim_policy=ENTRA_TOLERANT
        )
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc


def parse_group(payload: dict[str, Any], ctx: Context) -> Group:
    try:
        return Group.model_validate(payload, scim_ctx=ctx, scim_policy=ENTRA_TOLERANT)
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc


def parse_patch(payload: dict[str, Any], model: Any) -> PatchOp:
    """A PatchOp on `model` (ScimUser or Group); Entra's capitalised ops are accepted."""
    try:
        operation: PatchOp = PatchOp[model].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=ENTRA_TOLERANT
        )
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc
    return operation


def compile_filter(raw: str | None, model: Any) -> ScimFilter[Any] | None:
    if not raw:
        return None
    try:
        return ScimFilter[model](raw)
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc
    except ValueError as exc:
        raise ScimError(400, str(exc), "invalidFilter") from exc


def response_parameters(
    attributes: list[str] | None, excluded: list[str] | None
) -> ResponseParameters[Any] | None:
    if not attributes and not excluded:
        return None
    try:
        return ResponseParameters(attributes=attributes, excluded_attributes=excluded)
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc


def requested_attributes(request: Request) -> ResponseParameters[Any] | None:
    """`attributes` / `excludedAttributes` of the query string."""
    return response_parameters(
        attribute_list(request, "attributes"), attribute_list(request, "excludedAttributes")
    )


def dump(
    resource: Any,
    parameters: ResponseParameters[Any] | None,
    ctx: Context = Context.RESOURCE_QUERY_RESPONSE,
) -> dict[str, Any]:
    try:
        doc: dict[str, Any] = resource.model_dump(
            scim_ctx=ctx, response_parameters=parameters, scim_policy=ENTRA_TOLERANT
        )
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc
    return doc


def listed(found: Found, parameters: ResponseParameters[Any] | None, start: int) -> Response:
    """A ListResponse of one page of search results."""
    resources = [dump(r, parameters) for r in found.resources]
    return scim_response(list_response(resources, found.total, start))
