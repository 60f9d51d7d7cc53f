"""SCIM Groups at /scim/v2/Groups: kept as the identity provider sends them."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from scim2_models import Context, Group

from resonance.ambassadors.api.deps import HrIntegration, Rt
from resonance.ambassadors.api.scim_codec import (
    compile_filter,
    dump,
    listed,
    parse_group,
    parse_patch,
    requested_attributes,
    response_parameters,
    scim_base,
)
from resonance.ambassadors.api.scim_docs import (
    GROUP_EXAMPLE,
    GROUP_PATCH_EXAMPLE,
    GROUP_REQUIRED,
    PATCH_REQUIRED,
    SEARCH_EXAMPLE,
    request_body,
    responses,
)
from resonance.ambassadors.api.scim_support import (
    Search,
    list_response,
    read_json,
    scim_response,
    search_from_body,
    search_from_query,
)
from resonance.ambassadors.service import scim_groups, scim_search
from resonance.ambassadors.service.scim_resources import group_resource
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.common.auth import Principal
from resonance.common.service import Runtime

router = APIRouter(prefix="/scim/v2", tags=["scim"])


@router.post(
    "/Groups",
    status_code=201,
    summary="Create a group",
    openapi_extra=request_body(GROUP_EXAMPLE, "A SCIM Group", GROUP_REQUIRED),
    responses=responses(201, GROUP_EXAMPLE),
)
async def create_group(request: Request, principal: HrIntegration, rt: Rt) -> Response:
    group = parse_group(await read_json(request), Context.RESOURCE_CREATION_REQUEST)
    base = scim_base(request)
    async with rt.unit_of_work() as uow:
        row = await scim_groups.create_group(uow, principal, group)
        doc = dump(
            group_resource(row, base),
            requested_attributes(request),
            Context.RESOURCE_CREATION_RESPONSE,
        )
    return scim_response(doc, 201, {"Location": f"{base}/Groups/{row.id}"})


async def _found(
    search: Search, request: Request, principal: Principal, rt: Runtime[AmbassadorsSettings]
) -> Response:
    parameters = response_parameters(search.attributes, search.excluded_attributes)
    expression = compile_filter(search.filter, Group)
    async with rt.unit_of_work() as uow:
        found = await scim_search.search_groups(
            uow, principal, expression, search.page, scim_base(request)
        )
    return listed(found, parameters, search.start)


@router.get(
    "/Groups",
    summary="List or filter groups",
    responses=responses(200, list_response([GROUP_EXAMPLE], 1, 1)),
)
async def list_groups(request: Request, principal: HrIntegration, rt: Rt) -> Response:
    search = search_from_query(request, rt.settings.scim_max_results)
    return await _found(search, request, principal, rt)


@router.post(
    "/Groups/.search",
    summary="Search groups with a SearchRequest body (RFC 7644 §3.4.3)",
    openapi_extra=request_body(SEARCH_EXAMPLE, "A SCIM SearchRequest"),
    responses=responses(200, list_response([GROUP_EXAMPLE], 1, 1)),
)
async def search_groups(request: Request, principal: HrIntegration, rt: Rt) -> Response:
    search = search_from_body(await read_json(request), rt.settings.scim_max_results)
    return await _found(search, request, principal, rt)


@router.get("/Groups/{group_id}", summary="One group", responses=responses(200, GROUP_EXAMPLE))
async def get_group(group_id: str, request: Request, principal: HrIntegration, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        row = await scim_groups.get_group(uow, principal, group_id)
    return scim_response(
        dump(group_resource(row, scim_base(request)), requested_attributes(request))
    )


@router.put(
    "/Groups/{group_id}",
    summary="Replace a group",
    openapi_extra=request_body(GROUP_EXAMPLE, "The full SCIM Group", GROUP_REQUIRED),
    responses=responses(200, GROUP_EXAMPLE),
)
async def replace_group(
    group_id: str, request: Request, principal: HrIntegration, rt: Rt
) -> Response:
    group = parse_group(await read_json(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    base = scim_base(request)
    async with rt.unit_of_work() as uow:
        row = await scim_groups.replace_group(uow, principal, group_id, group)
        doc = dump(
            group_resource(row, base),
            requested_attributes(request),
            Context.RESOURCE_REPLACEMENT_RESPONSE,
        )
    return scim_response(doc)


@router.patch(
    "/Groups/{group_id}",
    summary="Patch a group (e.g. add or remove members)",
    openapi_extra=request_body(GROUP_PATCH_EXAMPLE, "A SCIM PatchOp", PATCH_REQUIRED),
    responses=responses(200, GROUP_EXAMPLE),
)
async def patch_group(
    group_id: str, request: Request, principal: HrIntegration, rt: Rt
) -> Response:
    operation = parse_patch(await read_json(request), Group)
    base = scim_base(request)
    async with rt.unit_of_work() as uow:
        row = await scim_groups.patch_group(uow, principal, group_id, operation, base)
        doc = dump(
            group_resource(row, base),
            requested_attributes(request),
            Context.RESOURCE_PATCH_RESPONSE,
        )
    return scim_response(doc)


@router.delete("/Groups/{group_id}", status_code=204, summary="Delete a group")
async def delete_group(group_id: str, principal: HrIntegration, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        await scim_groups.delete_group(uow, principal, group_id)
    return Response(status_code=204)
