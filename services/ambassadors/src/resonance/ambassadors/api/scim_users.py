"""SCIM Users at /scim/v2/Users (and the cross-resource /.search): provisioning by Microsoft
Entra, Okta or an HR middleware. Each route parses the SCIM request, calls one use case and
answers the resource as the client asked for it."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from scim2_models import Context, Group

from resonance.ambassadors.api.deps import HrIntegration, Rt
from resonance.ambassadors.api.scim_codec import (
    compile_filter,
    dump,
    listed,
    parse_patch,
    parse_user,
    requested_attributes,
    response_parameters,
    scim_base,
)
from resonance.ambassadors.api.scim_docs import (
    PATCH_EXAMPLE,
    PATCH_REQUIRED,
    SEARCH_EXAMPLE,
    USER_EXAMPLE,
    USER_REQUIRED,
    request_body,
    responses,
)
from resonance.ambassadors.api.scim_support import (
    list_response,
    read_json,
    scim_response,
    search_from_body,
    search_from_query,
)
from resonance.ambassadors.domain.scim_mapping import ScimUser, normalise_entra
from resonance.ambassadors.service import scim_search, scim_users
from resonance.ambassadors.service.scim_resources import user_resource

router = APIRouter(prefix="/scim/v2", tags=["scim"])


@router.post(
    "/Users",
    status_code=201,
    summary="Provision a user (a joiner)",
    openapi_extra=request_body(
        USER_EXAMPLE, "A SCIM User, enterprise extension optional", USER_REQUIRED
    ),
    responses=responses(201, {**USER_EXAMPLE, "id": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f"}),
)
async def create_user(request: Request, principal: HrIntegration, rt: Rt) -> Response:
    user = parse_user(await read_json(request), Context.RESOURCE_CREATION_REQUEST)
    base = scim_base(request)
    async with rt.unit_of_work() as uow:
        row = await scim_users.create_user(uow, principal, user)
        doc = dump(
            user_resource(row, base),
            requested_attributes(request),
            Context.RESOURCE_CREATION_RESPONSE,
        )
    return scim_response(doc, 201, {"Location": f"{base}/Users/{row.id}"})


@router.get(
    "/Users",
    summary="List or filter users",
    description='Supports `filter` (e.g. `userName eq "lea.martin@acme.example"`), `startIndex`, '
    "`count`, `attributes` and `excludedAttributes`.",
    responses=responses(200, list_response([USER_EXAMPLE], 1, 1)),
)
async def list_users(request: Request, principal: HrIntegration, rt: Rt) -> Response:
    search = search_from_query(request, rt.settings.scim_max_results)
    parameters = response_parameters(search.attributes, search.excluded_attributes)
    expression = compile_filter(search.filter, ScimUser)
    async with rt.unit_of_work() as uow:
        found = await scim_search.search_users(
            uow, principal, expression, search.page, scim_base(request)
        )
    return listed(found, parameters, search.start)


@router.post(
    "/Users/.search",
    summary="Search users with a SearchRequest body (RFC 7644 §3.4.3)",
    openapi_extra=request_body(SEARCH_EXAMPLE, "A SCIM SearchRequest"),
    responses=responses(200, list_response([USER_EXAMPLE], 1, 1)),
)
async def search_users(request: Request, principal: HrIntegration, rt: Rt) -> Response:
    search = search_from_body(await read_json(request), rt.settings.scim_max_results)
    parameters = response_parameters(search.attributes, search.excluded_attributes)
    expression = compile_filter(search.filter, ScimUser)
    async with rt.unit_of_work() as uow:
        found = await scim_search.search_users(
            uow, principal, expression, search.page, scim_base(request)
        )
    return listed(found, parameters, search.start)


@router.post(
    "/.search",
    summary="Search users and groups together (RFC 7644 §3.4.3)",
    openapi_extra=request_body(SEARCH_EXAMPLE, "A SCIM SearchRequest"),
    responses=responses(200, list_response([USER_EXAMPLE], 1, 1)),
)
async def search_all(request: Request, principal: HrIntegration, rt: Rt) -> Response:
    search = search_from_body(await read_json(request), rt.settings.scim_max_results)
    parameters = response_parameters(search.attributes, search.excluded_attributes)
    user_filter = compile_filter(search.filter, ScimUser)
    group_filter = compile_filter(search.filter, Group)
    async with rt.unit_of_work() as uow:
        found = await scim_search.search_all(
            uow, principal, user_filter, group_filter, search.page, scim_base(request)
        )
    return listed(found, parameters, search.start)


@router.get("/Users/{user_id}", summary="One user", responses=responses(200, USER_EXAMPLE))
async def get_user(user_id: str, request: Request, principal: HrIntegration, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        row = await scim_users.get_user(uow, principal, user_id)
    return scim_response(
        dump(user_resource(row, scim_base(request)), requested_attributes(request))
    )


@router.put(
    "/Users/{user_id}",
    summary="Replace a user (a mover, or a leaver with active=false)",
    openapi_extra=request_body(USER_EXAMPLE, "The full SCIM User", USER_REQUIRED),
    responses=responses(200, USER_EXAMPLE),
)
async def replace_user(
    user_id: str, request: Request, principal: HrIntegration, rt: Rt
) -> Response:
    user = parse_user(await read_json(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    base = scim_base(request)
    async with rt.unit_of_work() as uow:
        row = await scim_users.replace_user(uow, principal, user_id, user)
        doc = dump(
            user_resource(row, base),
            requested_attributes(request),
            Context.RESOURCE_REPLACEMENT_RESPONSE,
        )
    return scim_response(doc)


@router.patch(
    "/Users/{user_id}",
    summary="Patch a user (Entra-style capitalised ops and string booleans accepted)",
    openapi_extra=request_body(PATCH_EXAMPLE, "A SCIM PatchOp", PATCH_REQUIRED),
    responses=responses(200, USER_EXAMPLE),
)
async def patch_user(user_id: str, request: Request, principal: HrIntegration, rt: Rt) -> Response:
    operation = parse_patch(normalise_entra(await read_json(request)), ScimUser)
    base = scim_base(request)
    async with rt.unit_of_work() as uow:
        row = await scim_users.patch_user(uow, principal, user_id, operation, base)
        doc = dump(
            user_resource(row, base), requested_attributes(request), Context.RESOURCE_PATCH_RESPONSE
        )
    return scim_response(doc)


@router.delete(
    "/Users/{user_id}", status_code=204, summary="Deprovision a user (ends participation)"
)
async def delete_user(user_id: str, principal: HrIntegration, rt: Rt) -> Response:
    async with rt.unit_of_work() as uow:
        await scim_users.delete_user(uow, principal, user_id)
    return Response(status_code=204)
