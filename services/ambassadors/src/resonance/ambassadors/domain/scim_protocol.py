"""SCIM protocol rules the use cases need (pure): refusals carrying their `scimType`, PATCH
application with Entra's tolerances, and which filters an index can answer.

The SCIM routers turn these refusals into RFC 7644 §3.12 error bodies.
"""

from typing import Any

from pydantic import ValidationError
from scim2_models import ConflictException, NotFoundException, PatchOp, SCIMException, ScimFilter
from scim2_models.path import CompareOperator, Comparison

from resonance.ambassadors.domain.scim_mapping import CORE_USER, ENTRA_TOLERANT
from resonance.common.domain_errors import Conflict, DomainError, Invalid, NotFound


class ScimRefused(Invalid):
    """The request cannot be carried out as SCIM defines it (`scim_type` says why)."""

    default_slug = "scim-refused"

    def __init__(self, detail: str, scim_type: str | None = "invalidValue") -> None:
        super().__init__(detail)
        self.scim_type = scim_type


class ScimConflict(Conflict):
    """An identifier (userName, externalId, employeeNumber, group name) is already taken."""

    default_slug = "scim-conflict"

    def __init__(self, detail: str, scim_type: str | None = "uniqueness") -> None:
        super().__init__(detail)
        self.scim_type = scim_type


def refusal_of(exc: SCIMException) -> DomainError:
    """The library's own protocol error as one of ours, keeping its detail and scimType."""
    error = exc.to_error()
    detail = error.detail or str(exc)
    if isinstance(exc, ConflictException):
        return ScimConflict(detail, error.scim_type)
    if isinstance(exc, NotFoundException):
        return NotFound(detail)
    return ScimRefused(detail, error.scim_type)


def apply_patch(operation: PatchOp, resource: Any) -> None:
    """Applies a PatchOp to a User or Group in place, or refuses it."""
    try:
        operation.patch(resource, scim_policy=ENTRA_TOLERANT)
    except SCIMException as exc:
        raise refusal_of(exc) from exc
    except (ValidationError, ValueError, TypeError) as exc:
        raise ScimRefused(f"patch cannot be applied: {type(exc).__name__}") from exc


def matching(resources: list[Any], expression: ScimFilter[Any] | None) -> list[Any]:
    """The resources the filter selects (all of them without a filter)."""
    if expression is None:
        return resources
    try:
        return [r for r in resources if expression.match(r)]
    except SCIMException as exc:
        raise refusal_of(exc) from exc


def equality_hint(expression: ScimFilter[Any] | None) -> tuple[str, str] | None:
    """`(attribute, value)` when the filter is `attr eq "value"` on a core User attribute.

    Entra asks `userName eq` before every create: the store answers such lookups from an
    index. The filter itself still decides, so the hint only has to select a superset."""
    if expression is None:
        return None
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
