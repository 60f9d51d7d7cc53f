"""SCIM 2.0 User (with the enterprise extension) ↔ the HR facts of one employee (pure).

The last SCIM representation is kept as received; facts arriving by the other doors are
merged into it, so a GET by the identity provider shows what every door said.
"""

import copy
from typing import Any

from scim2_models import EnterpriseUser, ScimPolicy, User

from resonance.ambassadors.domain.hr import EmployeeFacts

ScimUser = User[EnterpriseUser]
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"

# Microsoft Entra sends capitalised ops, "True"/"False" strings, value-filtered removes and
# expects filtered paths to create entries; unknown attributes are dropped, not refused.
ENTRA_TOLERANT = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

# What a SCIM resource says in full: absent from it means "no value" (age band, for one,
# never travels by SCIM and is kept).
SCIM_OWNED_FIELDS = frozenset(
    {
        "employee_number",
        "external_id",
        "user_name",
        "given_name",
        "family_name",
        "display_name",
        "email",
        "personal_email",
        "phone",
        "department",
        "division",
        "organization",
        "cost_center",
        "manager_ref",
        "brand",
        "entity",
        "job_family",
        "site",
        "country",
        "language",
        "worker_type",
    }
)

WORKER_TYPES = {"office": "office", "frontline": "frontline", "white collar": "office"}
WORKER_TYPES["blue collar"] = "frontline"


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    return value.replace("_", "-").split("-")[0].strip().lower() or None


def _pick(entries: list[Any] | None, *types: str) -> Any | None:
    if not entries:
        return None
    for wanted in types:
        for entry in entries:
            if (getattr(entry, "type", None) or "").lower() == wanted:
                return entry
    for entry in entries:
        if getattr(entry, "primary", False):
            return entry
    return None


def facts_from_scim(user: ScimUser) -> EmployeeFacts:
    enterprise = user[EnterpriseUser] if user[EnterpriseUser] is not None else None
    work_email = _pick(user.emails, "work") or (user.emails[0] if user.emails else None)
    home_email = _pick(user.emails, "home", "other")
    if home_email is work_email:
        home_email = None
    phone = _pick(user.phone_numbers, "mobile", "work") or (
        user.phone_numbers[0] if user.phone_numbers else None
    )
    address = _pick(user.addresses, "work") or (user.addresses[0] if user.addresses else None)
    department = enterprise.department if enterprise else None
    division = enterprise.division if enterprise else None
    organization = enterprise.organization if enterprise else None
    user_type = (user.user_type or "").strip().lower()
    return EmployeeFacts(
        employee_number=enterprise.employee_number if enterprise else None,
        external_id=user.external_id,
        user_name=user.user_name,
        given_name=user.name.given_name if user.name else None,
        family_name=user.name.family_name if user.name else None,
        display_name=user.display_name,
        email=work_email.value if work_email else None,
        personal_email=home_email.value if home_email else None,
        phone=phone.value if phone else None,
        department=department,
        division=division,
        organization=organization,
        cost_center=enterprise.cost_center if enterprise else None,
        manager_ref=enterprise.manager.value if enterprise and enterprise.manager else None,
        # Targeting vocabulary derived from the enterprise extension (documented in README).
        brand=division,
        entity=organization,
        job_family=department,
        site=address.locality if address else None,
        country=(address.country or None) if address else None,
        language=_lang(user.preferred_language),
        worker_type=WORKER_TYPES.get(user_type),
        active=user.active if user.active is not None else True,
    )


def _set_typed(entries: list[dict[str, Any]], kind: str, key: str, value: Any) -> None:
    for entry in entries:
        if str(entry.get("type", "")).lower() == kind:
            if value is None:
                entries.remove(entry)
            else:
                entry[key] = value
            return
    if value is not None:
        entries.append({"type": kind, key: value, **({"primary": True} if not entries else {})})


def merge_facts(scim: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The stored SCIM representation with HR facts from another door written into it."""
    out = copy.deepcopy(scim) or {"schemas": [CORE_USER]}
    schemas = out.setdefault("schemas", [CORE_USER])
    ext = out.get(ENTERPRISE) or {}
    simple = {
        "user_name": "userName",
        "external_id": "externalId",
        "display_name": "displayName",
        "language": "preferredLanguage",
        "worker_type": "userType",
    }
    enterprise = {
        "employee_number": "employeeNumber",
        "department": "department",
        "division": "division",
        "organization": "organization",
        "cost_center": "costCenter",
    }
    for name, value in changes.items():
        if name in simple:
            out[simple[name]] = value
        elif name in enterprise:
            ext[enterprise[name]] = value
        elif name == "manager_ref":
            ext["manager"] = {"value": value, "$ref": f"../Users/{value}"} if value else None
        elif name in ("given_name", "family_name"):
            key = "givenName" if name == "given_name" else "familyName"
            out.setdefault("name", {})[key] = value
        elif name == "email":
            _set_typed(out.setdefault("emails", []), "work", "value", value)
        elif name == "personal_email":
            _set_typed(out.setdefault("emails", []), "home", "value", value)
        elif name == "phone":
            _set_typed(out.setdefault("phoneNumbers", []), "mobile", "value", value)
        elif name in ("country", "site"):
            addresses = out.setdefault("addresses", [])
            key = "country" if name == "country" else "locality"
            _set_typed(addresses, "work", key, value)
    ext = {k: v for k, v in ext.items() if v is not None}
    if ext:
        out[ENTERPRISE] = ext
        if ENTERPRISE not in schemas:
            schemas.append(ENTERPRISE)
    return {k: v for k, v in out.items() if v is not None and v != [] and v != {}}


def normalise_entra(payload: Any) -> Any:
    """Entra quirks the library does not absorb itself: a bare manager id."""
    if isinstance(payload, dict):
        ext = payload.get(ENTERPRISE)
        if isinstance(ext, dict) and isinstance(ext.get("manager"), str):
            ext["manager"] = {"value": ext["manager"]}
        if isinstance(ext, dict) and isinstance(ext.get("manager"), dict):
            manager = ext["manager"]
            if manager.get("value") and not manager.get("$ref"):
                manager["$ref"] = f"../Users/{manager['value']}"
            if not manager.get("value"):
                ext.pop("manager")
        for op in payload.get("Operations") or []:
            if not isinstance(op, dict):
                continue
            path = str(op.get("path") or "")
            if path.lower().endswith(":manager") or path.lower() == "manager":
                value = op.get("value")
                if isinstance(value, str):
                    op["value"] = {"value": value, "$ref": f"../Users/{value}"}
                elif isinstance(value, dict) and value.get("value") and not value.get("$ref"):
                    value["$ref"] = f"../Users/{value['value']}"
    return payload
