"""SCIM 2.0 service provider (RFC 7643/7644) at /scim/v2: Users (enterprise extension) and
Groups, as Microsoft Entra, Okta or an HR middleware provision them."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
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
    PatchOp,
    ResourceType,
    ResponseParameters,
    SCIMException,
    ScimFilter,
    ServiceProviderConfig,
    Sort,
)
from scim2_models.path import CompareOperator, Comparison
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from resonance.ambassadors.api.scim_support import (
    SCIM_JSON,
    ScimError,
    Search,
    attribute_list,
    error_body,
    list_response,
    read_json,
    scim_principal,
    scim_response,
    search_from_body,
    search_from_query,
)
from resonance.ambassadors.domain.hr import EmployeeFacts
from resonance.ambassadors.domain.scim_mapping import (
    CORE_GROUP,
    CORE_USER,
    ENTERPRISE,
    ENTRA_TOLERANT,
    SCIM_OWNED_FIELDS,
    ScimUser,
    facts_from_scim,
    normalise_entra,
)
from resonance.ambassadors.settings import AmbassadorsSettings
from resonance.ambassadors.store.intake import apply_hr_facts
from resonance.ambassadors.store.people import find_employee
from resonance.ambassadors.store.tables import Employee, ScimGroup
from resonance.common.auth import Principal
from resonance.common.service import Runtime, runtime_of

router = APIRouter(prefix="/scim/v2", tags=["scim"])

USER_EXAMPLE: dict[str, Any] = {
    "schemas": [CORE_USER, ENTERPRISE],
    "userName": "lea.martin@acme.example",
    "externalId": "00u1a2b3c4",
    "active": True,
    "name": {"givenName": "Léa", "familyName": "Martin"},
    "displayName": "Léa Martin",
    "preferredLanguage": "fr-FR",
    "userType": "office",
    "emails": [{"value": "lea.martin@acme.example", "type": "work", "primary": True}],
    "addresses": [{"type": "work", "locality": "Lyon", "country": "FR"}],
    ENTERPRISE: {
        "employeeNumber": "100234",
        "department": "Engineering",
        "division": "Acme Cloud",
        "organization": "Acme France",
        "costCenter": "CC-4410",
        "manager": {"value": "9b0c6c1e-0d0e-4c55-9d8b-2f1f0e5d7a11"},
    },
}
PATCH_EXAMPLE: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Marketing"},
        {"op": "Replace", "path": "active", "value": "False"},
    ],
}
GROUP_EXAMPLE: dict[str, Any] = {
    "schemas": [CORE_GROUP],
    "displayName": "Lyon office",
    "externalId": "grp-lyon",
    "members": [{"value": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f"}],
}
SEARCH_EXAMPLE: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
    "filter": 'userName sw "lea"',
    "attributes": ["userName", "displayName"],
    "startIndex": 1,
    "count": 10,
}
ERROR_EXAMPLE = error_body(400, "invalid syntax at column 10", "invalidFilter")


def _body(example: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                SCIM_JSON: {"schema": {"type": "object"}, "example": example},
                "application/json": {"schema": {"type": "object"}, "example": example},
            },
        }
    }


def _responses(ok: int, example: Any | None) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {
        400: {"description": "SCIM error", "content": {SCIM_JSON: {"example": ERROR_EXAMPLE}}},
        401: {"description": "Missing or invalid bearer token"},
        403: {"description": "Token lacks the integration role"},
    }
    if example is not None:
        responses[ok] = {"description": "OK", "content": {SCIM_JSON: {"example": example}}}
    return responses


def _settings(runtime: Runtime) -> AmbassadorsSettings:
    assert isinstance(runtime.settings, AmbassadorsSettings)
    return runtime.settings


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/scim/v2"


def _iso(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).isoformat().replace("+00:00", "Z")


# --- discovery ---------------------------------------------------------------------


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
    responses=_responses(
        200, {"patch": {"supported": True}, "filter": {"supported": True, "maxResults": 200}}
    ),
)
async def service_provider_config(
    principal: Principal = Depends(scim_principal), runtime: Runtime = Depends(runtime_of)
) -> Response:
    return scim_response(_service_provider_config(_settings(runtime).scim_max_results))


EXAMPLE_BASE = "https://ambassadors.example/scim/v2"


@router.get(
    "/ResourceTypes",
    summary="Resource types: User and Group",
    responses=_responses(200, list_response(_resource_types(EXAMPLE_BASE), 2, 1)),
)
async def resource_types(
    request: Request, principal: Principal = Depends(scim_principal)
) -> Response:
    types = _resource_types(_base(request))
    return scim_response(list_response(types, len(types), 1))


@router.get(
    "/ResourceTypes/{name}",
    summary="One resource type",
    responses=_responses(200, _resource_types(EXAMPLE_BASE)[0]),
)
async def resource_type(
    name: str, request: Request, principal: Principal = Depends(scim_principal)
) -> Response:
    for doc in _resource_types(_base(request)):
        if doc["id"] == name:
            return scim_response(doc)
    raise ScimError(404, f"resource type {name} not found")


@router.get(
    "/Schemas",
    summary="Schemas: core User, enterprise User, Group",
    responses=_responses(200, list_response(_schemas(EXAMPLE_BASE)[2:], 3, 1)),
)
async def schemas(request: Request, principal: Principal = Depends(scim_principal)) -> Response:
    docs = _schemas(_base(request))
    return scim_response(list_response(docs, len(docs), 1))


@router.get(
    "/Schemas/{schema_id}",
    summary="One schema",
    responses=_responses(200, _schemas(EXAMPLE_BASE)[2]),
)
async def schema(
    schema_id: str, request: Request, principal: Principal = Depends(scim_principal)
) -> Response:
    for doc in _schemas(_base(request)):
        if doc["id"] == schema_id:
            return scim_response(doc)
    raise ScimError(404, f"schema {schema_id} not found")


# --- users ---------------------------------------------------------------------------


def _user_document(row: Employee, base: str) -> dict[str, Any]:
    doc = dict(row.scim or {})
    doc.setdefault("schemas", [CORE_USER])
    doc["userName"] = (
        doc.get("userName") or row.user_name or row.email or row.employee_number or row.id
    )
    doc["id"] = row.id
    # Unassigned (removed by PATCH) stays unassigned, unless HR said the person left.
    if "active" in doc or not row.active:
        doc["active"] = row.active
    doc["meta"] = {
        "resourceType": "User",
        "created": _iso(row.created_at),
        "lastModified": _iso(row.updated_at),
        "location": f"{base}/Users/{row.id}",
        "version": f'W/"{row.version}"',
    }
    return doc


def _user_model(row: Employee, base: str) -> ScimUser:
    try:
        return ScimUser.model_validate(
            normalise_entra(_user_document(row, base)), scim_policy=ENTRA_TOLERANT
        )
    except ValidationError as exc:
        raise ScimError(500, "stored user cannot be represented") from exc


def _parameters(request: Request) -> ResponseParameters[Any] | None:
    return _response_parameters(
        attribute_list(request, "attributes"), attribute_list(request, "excludedAttributes")
    )


def _response_parameters(
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


def _dump(
    resource: Any, request: Request, ctx: Context = Context.RESOURCE_QUERY_RESPONSE
) -> dict[str, Any]:
    return _dump_with(resource, _parameters(request), ctx)


def _dump_with(
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


def _stored(user: ScimUser) -> dict[str, Any]:
    doc: dict[str, Any] = user.model_dump(
        scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=ENTRA_TOLERANT
    )
    # Passwords are never kept: people sign in through the identity provider.
    for key in ("password", "id", "meta", "groups"):
        doc.pop(key, None)
    return doc


def _parse_user(payload: dict[str, Any], ctx: Context) -> ScimUser:
    try:
        return ScimUser.model_validate(
            normalise_entra(payload), scim_ctx=ctx, scim_policy=ENTRA_TOLERANT
        )
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc


async def _load_user(
    runtime: Runtime, session: Any, tenant: str, user_id: str, lock: bool = False
) -> Employee:
    query = select(Employee).where(
        Employee.tenant == tenant,
        Employee.id == user_id,
        Employee.scim_deleted.is_(False),  # type: ignore[attr-defined]
        Employee.erased_at.is_(None),  # type: ignore[union-attr]
    )
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise ScimError(404, f"User {user_id} not found")
    return row


async def _intake(
    runtime: Runtime, session: Any, tenant: str, user: ScimUser, row: Employee | None
) -> Employee:
    facts = facts_from_scim(user)
    try:
        result = await apply_hr_facts(
            session,
            runtime.outbox,
            tenant,
            facts,
            employee=row,
            clear_absent=SCIM_OWNED_FIELDS if row is not None else frozenset(),
            scim=_stored(user),
            onboarding_delay_s=_settings(runtime).onboarding_delay_s,
            look_up=False,
        )
        await session.flush()
    except IntegrityError as exc:
        raise ScimError(
            409, "userName, externalId or employeeNumber already in use", "uniqueness"
        ) from exc
    return result.employee


async def _conflict(session: Any, tenant: str, facts: EmployeeFacts, own_id: str | None) -> None:
    """RFC 7644 §3.3: an identifier held by another live SCIM user is a uniqueness error."""
    for column, value in (
        (func.lower(Employee.user_name), facts.user_name.lower() if facts.user_name else None),
        (Employee.external_id, facts.external_id),
        (Employee.employee_number, facts.employee_number),
    ):
        if not value:
            continue
        other = (
            await session.execute(
                select(Employee.id, Employee.scim_deleted, Employee.scim_provisioned).where(
                    Employee.tenant == tenant, column == value
                )
            )
        ).first()
        if (
            other is not None
            and other.id != own_id
            and other.scim_provisioned
            and not other.scim_deleted
        ):
            raise ScimError(409, "a user with this identifier already exists", "uniqueness")


@router.post(
    "/Users",
    status_code=201,
    summary="Provision a user (a joiner)",
    openapi_extra=_body(USER_EXAMPLE, "A SCIM User, enterprise extension optional"),
    responses=_responses(201, {**USER_EXAMPLE, "id": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f"}),
)
async def create_user(
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    user = _parse_user(await read_json(request), Context.RESOURCE_CREATION_REQUEST)
    facts = facts_from_scim(user)
    base = _base(request)
    async with runtime.db.transaction() as session:
        await _conflict(session, principal.tenant, facts, None)
        # Someone HR already told us about (webhook, topic) is adopted, not duplicated.
        existing = await find_employee(session, principal.tenant, facts, lock=True)
        if existing is not None and existing.erased_at is not None:
            existing = None
        if existing is not None and existing.scim_provisioned and not existing.scim_deleted:
            # Checked again under the row lock: a concurrent create may have just won.
            raise ScimError(409, "a user with this identifier already exists", "uniqueness")
        if existing is not None:
            existing.scim_deleted = False
        row = await _intake(runtime, session, principal.tenant, user, existing)
        row.scim_provisioned = True
        doc = _dump(_user_model(row, base), request, Context.RESOURCE_CREATION_RESPONSE)
    return scim_response(doc, 201, {"Location": f"{base}/Users/{row.id}"})


def _simple_eq(expression: ScimFilter[Any]) -> tuple[str, str] | None:
    node = expression.ast
    if (
        isinstance(node, Comparison)
        and node.op == CompareOperator.eq
        and isinstance(node.value, str)
    ):
        path = node.attr_path
        if path.sub_attr is None and (path.uri is None or path.uri.lower() == CORE_USER.lower()):
            return path.attr.lower(), node.value
    return None


@router.get(
    "/Users",
    summary="List or filter users",
    description='Supports `filter` (e.g. `userName eq "lea.martin@acme.example"`), `startIndex`, '
    "`count`, `attributes` and `excludedAttributes`.",
    responses=_responses(
        200,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1,
            "startIndex": 1,
            "itemsPerPage": 1,
            "Resources": [USER_EXAMPLE],
        },
    ),
)
async def list_users(
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    search = search_from_query(request, _settings(runtime).scim_max_results)
    return await _answer(search, _base(request), principal, runtime, users=True, groups=False)


@router.post(
    "/Users/.search",
    summary="Search users with a SearchRequest body (RFC 7644 §3.4.3)",
    openapi_extra=_body(SEARCH_EXAMPLE, "A SCIM SearchRequest"),
    responses=_responses(200, list_response([USER_EXAMPLE], 1, 1)),
)
async def search_users(
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    search = search_from_body(await read_json(request), _settings(runtime).scim_max_results)
    return await _answer(search, _base(request), principal, runtime, users=True, groups=False)


@router.post(
    "/.search",
    summary="Search users and groups together (RFC 7644 §3.4.3)",
    openapi_extra=_body(SEARCH_EXAMPLE, "A SCIM SearchRequest"),
    responses=_responses(200, list_response([USER_EXAMPLE], 1, 1)),
)
async def search_all(
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    search = search_from_body(await read_json(request), _settings(runtime).scim_max_results)
    return await _answer(search, _base(request), principal, runtime, users=True, groups=True)


def _compile(raw: str | None, model: Any) -> ScimFilter[Any] | None:
    if not raw:
        return None
    try:
        return ScimFilter[model](raw)  # type: ignore[index,no-any-return]
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc
    except ValueError as exc:
        raise ScimError(400, str(exc), "invalidFilter") from exc


def _matching(resources: list[Any], expression: ScimFilter[Any] | None) -> list[Any]:
    if expression is None:
        return resources
    try:
        return [r for r in resources if expression.match(r)]
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc


async def _find_users(
    search: Search, base: str, tenant: str, runtime: Runtime, paged_in_sql: bool
) -> tuple[list[ScimUser], int]:
    """Users matching the search; paged by the database when no filter needs evaluating."""
    expression = _compile(search.filter, ScimUser)
    query = (
        select(Employee)
        .where(
            Employee.tenant == tenant,
            Employee.scim_deleted.is_(False),  # type: ignore[attr-defined]
            Employee.erased_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Employee.created_at, Employee.id)
    )
    # The common lookups (Entra asks `userName eq` before every create) go to an index;
    # the library's evaluator still decides, so the SQL only has to be a superset.
    simple = _simple_eq(expression) if expression is not None else None
    if simple is not None:
        name, value = simple
        if name == "username":
            query = query.where(func.lower(Employee.user_name) == value.lower())
        elif name == "externalid":
            query = query.where(Employee.external_id == value)
        elif name == "id":
            query = query.where(Employee.id == value)
    async with runtime.db.session() as session:
        if expression is None and paged_in_sql:
            total = await session.scalar(
                select(func.count()).select_from(query.order_by(None).subquery())
            )
            page = query.offset(search.start - 1).limit(search.count)
            rows = (await session.execute(page)).scalars().all()
            return [_user_model(row, base) for row in rows], total or 0
        rows = (await session.execute(query)).scalars().all()
    users = _matching([_user_model(row, base) for row in rows], expression)
    return users, len(users)


async def _find_groups(search: Search, base: str, tenant: str, runtime: Runtime) -> list[Group]:
    expression = _compile(search.filter, Group)
    async with runtime.db.session() as session:
        rows = (
            (
                await session.execute(
                    select(ScimGroup)
                    .where(ScimGroup.tenant == tenant)
                    .order_by(ScimGroup.created_at, ScimGroup.id)
                )
            )
            .scalars()
            .all()
        )
    return _matching([_group_model(r, base) for r in rows], expression)


async def _answer(
    search: Search, base: str, principal: Principal, runtime: Runtime, *, users: bool, groups: bool
) -> Response:
    parameters = _response_parameters(search.attributes, search.excluded_attributes)
    if users and not groups:
        found, total = await _find_users(search, base, principal.tenant, runtime, paged_in_sql=True)
        page: list[Any] = found if search.filter is None else found[search.window]
        return scim_response(
            list_response([_dump_with(r, parameters) for r in page], total, search.start)
        )
    everything: list[Any] = []
    if users:
        everything += (await _find_users(search, base, principal.tenant, runtime, False))[0]
    if groups:
        everything += await _find_groups(search, base, principal.tenant, runtime)
    page = everything[search.window]
    return scim_response(
        list_response([_dump_with(r, parameters) for r in page], len(everything), search.start)
    )


@router.get("/Users/{user_id}", summary="One user", responses=_responses(200, USER_EXAMPLE))
async def get_user(
    user_id: str,
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    async with runtime.db.session() as session:
        row = await _load_user(runtime, session, principal.tenant, user_id)
    return scim_response(_dump(_user_model(row, _base(request)), request))


@router.put(
    "/Users/{user_id}",
    summary="Replace a user (a mover, or a leaver with active=false)",
    openapi_extra=_body(USER_EXAMPLE, "The full SCIM User"),
    responses=_responses(200, USER_EXAMPLE),
)
async def replace_user(
    user_id: str,
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    user = _parse_user(await read_json(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    base = _base(request)
    async with runtime.db.transaction() as session:
        row = await _load_user(runtime, session, principal.tenant, user_id, lock=True)
        await _conflict(session, principal.tenant, facts_from_scim(user), row.id)
        row = await _intake(runtime, session, principal.tenant, user, row)
        doc = _dump(_user_model(row, base), request, Context.RESOURCE_REPLACEMENT_RESPONSE)
    return scim_response(doc)


@router.patch(
    "/Users/{user_id}",
    summary="Patch a user (Entra-style capitalised ops and string booleans accepted)",
    openapi_extra=_body(PATCH_EXAMPLE, "A SCIM PatchOp"),
    responses=_responses(200, USER_EXAMPLE),
)
async def patch_user(
    user_id: str,
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    payload = normalise_entra(await read_json(request))
    try:
        operation = PatchOp[ScimUser].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=ENTRA_TOLERANT
        )
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc
    base = _base(request)
    async with runtime.db.transaction() as session:
        row = await _load_user(runtime, session, principal.tenant, user_id, lock=True)
        user = _user_model(row, base)
        try:
            operation.patch(user, scim_policy=ENTRA_TOLERANT)
        except SCIMException as exc:
            raise ScimError.from_exception(exc) from exc
        except (ValidationError, ValueError, TypeError) as exc:
            raise ScimError(
                400, f"patch cannot be applied: {type(exc).__name__}", "invalidValue"
            ) from exc
        await _conflict(session, principal.tenant, facts_from_scim(user), row.id)
        row = await _intake(runtime, session, principal.tenant, user, row)
        doc = _dump(_user_model(row, base), request, Context.RESOURCE_PATCH_RESPONSE)
    return scim_response(doc)


@router.delete(
    "/Users/{user_id}", status_code=204, summary="Deprovision a user (ends participation)"
)
async def delete_user(
    user_id: str,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    async with runtime.db.transaction() as session:
        row = await _load_user(runtime, session, principal.tenant, user_id, lock=True)
        await apply_hr_facts(
            session,
            runtime.outbox,
            principal.tenant,
            EmployeeFacts(active=False),
            employee=row,
            onboarding_delay_s=_settings(runtime).onboarding_delay_s,
        )
        # Consent history stays until erasure; the identity provider just stops seeing it.
        row.scim_deleted = True
    return Response(status_code=204)


# --- groups --------------------------------------------------------------------------


def _group_document(row: ScimGroup, base: str) -> dict[str, Any]:
    doc = dict(row.resource or {})
    doc["schemas"] = [CORE_GROUP]
    doc["id"] = row.id
    doc["displayName"] = row.display_name
    doc["meta"] = {
        "resourceType": "Group",
        "created": _iso(row.created_at),
        "lastModified": _iso(row.updated_at),
        "location": f"{base}/Groups/{row.id}",
        "version": f'W/"{row.version}"',
    }
    return doc


def _group_model(row: ScimGroup, base: str) -> Group:
    try:
        return Group.model_validate(_group_document(row, base), scim_policy=ENTRA_TOLERANT)
    except ValidationError as exc:
        raise ScimError(500, "stored group cannot be represented") from exc


def _parse_group(payload: dict[str, Any], ctx: Context) -> Group:
    try:
        return Group.model_validate(payload, scim_ctx=ctx, scim_policy=ENTRA_TOLERANT)
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc


def _stored_group(group: Group) -> dict[str, Any]:
    doc: dict[str, Any] = group.model_dump(
        scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=ENTRA_TOLERANT
    )
    doc.pop("id", None)
    doc.pop("meta", None)
    return doc


async def _load_group(session: Any, tenant: str, group_id: str, lock: bool = False) -> ScimGroup:
    query = select(ScimGroup).where(ScimGroup.tenant == tenant, ScimGroup.id == group_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise ScimError(404, f"Group {group_id} not found")
    return row


async def _group_name_taken(session: Any, tenant: str, name: str, own_id: str | None) -> None:
    other = (
        await session.execute(
            select(ScimGroup.id).where(
                ScimGroup.tenant == tenant, func.lower(ScimGroup.display_name) == name.lower()
            )
        )
    ).first()
    if other is not None and other.id != own_id:
        raise ScimError(409, "a group with this displayName already exists", "uniqueness")


@router.post(
    "/Groups",
    status_code=201,
    summary="Create a group",
    openapi_extra=_body(GROUP_EXAMPLE, "A SCIM Group"),
    responses=_responses(201, GROUP_EXAMPLE),
)
async def create_group(
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    group = _parse_group(await read_json(request), Context.RESOURCE_CREATION_REQUEST)
    base = _base(request)
    async with runtime.db.transaction() as session:
        await _group_name_taken(session, principal.tenant, group.display_name or "", None)
        await _check_members(session, principal.tenant, group)
        row = ScimGroup(
            tenant=principal.tenant,
            display_name=group.display_name or "",
            external_id=group.external_id,
            resource=_stored_group(group),
        )
        session.add(row)
        await session.flush()
        doc = _dump(_group_model(row, base), request, Context.RESOURCE_CREATION_RESPONSE)
    return scim_response(doc, 201, {"Location": f"{base}/Groups/{row.id}"})


@router.get(
    "/Groups",
    summary="List or filter groups",
    responses=_responses(200, list_response([GROUP_EXAMPLE], 1, 1)),
)
async def list_groups(
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    search = search_from_query(request, _settings(runtime).scim_max_results)
    return await _answer(search, _base(request), principal, runtime, users=False, groups=True)


@router.post(
    "/Groups/.search",
    summary="Search groups with a SearchRequest body (RFC 7644 §3.4.3)",
    openapi_extra=_body(SEARCH_EXAMPLE, "A SCIM SearchRequest"),
    responses=_responses(200, list_response([GROUP_EXAMPLE], 1, 1)),
)
async def search_groups(
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    search = search_from_body(await read_json(request), _settings(runtime).scim_max_results)
    return await _answer(search, _base(request), principal, runtime, users=False, groups=True)


@router.get("/Groups/{group_id}", summary="One group", responses=_responses(200, GROUP_EXAMPLE))
async def get_group(
    group_id: str,
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    async with runtime.db.session() as session:
        row = await _load_group(session, principal.tenant, group_id)
    return scim_response(_dump(_group_model(row, _base(request)), request))


async def _check_members(session: Any, tenant: str, group: Group) -> None:
    """Members must be users of this tenant (RFC 7643 §4.2: references to resources)."""
    wanted = {m.value for m in group.members or [] if m.value}
    if not wanted:
        return
    found = set(
        (
            await session.execute(
                select(Employee.id).where(
                    Employee.tenant == tenant,
                    Employee.id.in_(wanted),  # type: ignore[attr-defined]
                    Employee.scim_deleted.is_(False),  # type: ignore[attr-defined]
                )
            )
        ).scalars()
    )
    if wanted - found:
        raise ScimError(
            400, f"{len(wanted - found)} member(s) are not users of this service", "invalidValue"
        )


async def _save_group(session: Any, row: ScimGroup, group: Group, tenant: str) -> None:
    await _group_name_taken(session, tenant, group.display_name or "", row.id)
    await _check_members(session, tenant, group)
    row.display_name = group.display_name or row.display_name
    row.external_id = group.external_id
    row.resource = _stored_group(group)
    row.version += 1
    row.updated_at = datetime.now(UTC)


@router.put(
    "/Groups/{group_id}",
    summary="Replace a group",
    openapi_extra=_body(GROUP_EXAMPLE, "The full SCIM Group"),
    responses=_responses(200, GROUP_EXAMPLE),
)
async def replace_group(
    group_id: str,
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    group = _parse_group(await read_json(request), Context.RESOURCE_REPLACEMENT_REQUEST)
    base = _base(request)
    async with runtime.db.transaction() as session:
        row = await _load_group(session, principal.tenant, group_id, lock=True)
        await _save_group(session, row, group, principal.tenant)
        doc = _dump(_group_model(row, base), request, Context.RESOURCE_REPLACEMENT_RESPONSE)
    return scim_response(doc)


@router.patch(
    "/Groups/{group_id}",
    summary="Patch a group (e.g. add or remove members)",
    openapi_extra=_body(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {
                    "op": "Add",
                    "path": "members",
                    "value": [{"value": "5f1c9d6e-7a2b-4c3d-8e9f-0a1b2c3d4e5f"}],
                }
            ],
        },
        "A SCIM PatchOp",
    ),
    responses=_responses(200, GROUP_EXAMPLE),
)
async def patch_group(
    group_id: str,
    request: Request,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    payload = await read_json(request)
    try:
        operation = PatchOp[Group].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=ENTRA_TOLERANT
        )
    except ValidationError as exc:
        raise ScimError.from_validation(exc) from exc
    except SCIMException as exc:
        raise ScimError.from_exception(exc) from exc
    base = _base(request)
    async with runtime.db.transaction() as session:
        row = await _load_group(session, principal.tenant, group_id, lock=True)
        group = _group_model(row, base)
        try:
            operation.patch(group, scim_policy=ENTRA_TOLERANT)
        except SCIMException as exc:
            raise ScimError.from_exception(exc) from exc
        except (ValidationError, ValueError, TypeError) as exc:
            raise ScimError(
                400, f"patch cannot be applied: {type(exc).__name__}", "invalidValue"
            ) from exc
        await _save_group(session, row, group, principal.tenant)
        doc = _dump(_group_model(row, base), request, Context.RESOURCE_PATCH_RESPONSE)
    return scim_response(doc)


@router.delete("/Groups/{group_id}", status_code=204, summary="Delete a group")
async def delete_group(
    group_id: str,
    principal: Principal = Depends(scim_principal),
    runtime: Runtime = Depends(runtime_of),
) -> Response:
    async with runtime.db.transaction() as session:
        row = await _load_group(session, principal.tenant, group_id, lock=True)
        await session.delete(row)
    return Response(status_code=204)
