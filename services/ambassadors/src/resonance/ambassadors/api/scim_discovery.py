"""SCIM discovery (RFC 7644 §4): what this service provider supports, its resource types and
their schemas. Clients such as Microsoft Entra read these before provisioning."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Patch,
    ResourceType,
    ServiceProviderConfig,
    Sort,
)

from resonance.ambassadors.api.deps import HrIntegration, Rt
from resonance.ambassadors.api.scim_codec import scim_base
from resonance.ambassadors.api.scim_docs import EXAMPLE_BASE, responses
from resonance.ambassadors.api.scim_support import ScimError, list_response, scim_response
from resonance.ambassadors.domain.scim_mapping import ScimUser

router = APIRouter(prefix="/scim/v2", tags=["scim"])


def _service_provider_config(max_results: int) -> dict[str, Any]:
    config = ServiceProviderConfig(
        documentation_uri="https://datatracker.ietf.org/doc/html/rfc7644",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description="JWT access token of a client holding the `integration` role",
                primary=True,
            )
        ],
    )
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def _resource_types(base: str) -> list[dict[str, Any]]:
    out = []
    for model, name in ((ScimUser, "User"), (Group, "Group")):
        doc = ResourceType.from_resource(model).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        doc["meta"] = {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{name}"}
        out.append(doc)
    return out


def _schemas(base: str) -> list[dict[str, Any]]:
    out = []
    for model in (ScimUser, EnterpriseUser, Group):
        doc = model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        doc["meta"] = {"resourceType": "Schema", "location": f"{base}/Schemas/{doc['id']}"}
        out.append(doc)
    return out


@router.get(
    "/ServiceProviderConfig",
    summary="What this SCIM service provider supports",
    responses=responses(
        200, {"patch": {"supported": True}, "filter": {"supported": True, "maxResults": 200}}
    ),
)
async def service_provider_config(principal: HrIntegration, rt: Rt) -> Response:
    return scim_response(_service_provider_config(rt.settings.scim_max_results))


@router.get(
    "/ResourceTypes",
    summary="Resource types: User and Group",
    responses=responses(200, list_response(_resource_types(EXAMPLE_BASE), 2, 1)),
)
async def resource_types(request: Request, principal: HrIntegration) -> Response:
    types = _resource_types(scim_base(request))
    return scim_response(list_response(types, len(types), 1))


@router.get(
    "/ResourceTypes/{name}",
    summary="One resource type",
    responses=responses(200, _resource_types(EXAMPLE_BASE)[0]),
)
async def resource_type(name: str, request: Request, principal: HrIntegration) -> Response:
    for doc in _resource_types(scim_base(request)):
        if doc["id"] == name:
            return scim_response(doc)
    raise ScimError(404, f"resource type {name} not found")


@router.get(
    "/Schemas",
    summary="Schemas: core User, enterprise User, Group",
    responses=responses(200, list_response(_schemas(EXAMPLE_BASE)[2:], 3, 1)),
)
async def schemas(request: Request, principal: HrIntegration) -> Response:
    docs = _schemas(scim_base(request))
    return scim_response(list_response(docs, len(docs), 1))


@router.get(
    "/Schemas/{schema_id}",
    summary="One schema",
    responses=responses(200, _schemas(EXAMPLE_BASE)[2]),
)
async def schema(schema_id: str, request: Request, principal: HrIntegration) -> Response:
    for doc in _schemas(scim_base(request)):
        if doc["id"] == schema_id:
            return scim_response(doc)
    raise ScimError(404, f"schema {schema_id} not found")
