"""SCIM filters (RFC 7644 §3.4.2.2) as SQL over the stored User documents.

A User is shown from its stored document (`employees.scim`) with a few server-owned values
written over it (`service.scim_resources.user_document`); the expressions below read the
same places, with SCIM's semantics: attribute names and (for caseExact=false attributes)
values compared case-insensitively, an absent attribute matching `ne` and `not (... eq ...)`.

What is not translated (multi-valued attributes, value paths, attributes shown differently
from how they are stored) compiles to TRUE and marks the result inexact: the rows selected
are then a superset the caller filters with the library's own evaluation.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scim2_models.path import (
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
)
from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    true,
)
from sqlalchemy.sql.elements import ColumnElement as Column

from resonance.ambassadors.domain.scim_mapping import CORE_USER, ENTERPRISE
from resonance.ambassadors.store.tables import Employee

C = "C"  # byte-order collation: orders as Python compares str
ENTERPRISE_STRINGS = ("employeeNumber", "department", "division", "organization", "costCenter")
CORE_STRINGS = ("displayName", "title", "nickName", "profileUrl", "locale", "timezone")
NAME_PARTS = ("givenName", "familyName", "middleName", "formatted")


@dataclass(frozen=True)
class Compiled:
    """`clause` selects exactly the matching users when `exact`, else a superset."""

    clause: ColumnElement[bool]
    exact: bool


def _key(name: str) -> Any:
    # Keys as literals, not parameters: the planner matches expression indexes only then.
    return literal_column("'" + name.replace("'", "''") + "'")


def _text(*keys: str) -> Column[Any]:
    doc: Any = Employee.scim
    for key in keys[:-1]:
        doc = doc.op("->")(_key(key))
    return doc.op("->>")(_key(keys[-1]))


def shown_user_name() -> Column[Any]:
    """The userName a User shows (service.scim_resources.user_document); lower-cased for
    comparison, it is what the index `ix_employees_scim_user_name` holds."""
    return func.coalesce(
        _text("userName"),
        Employee.user_name,
        Employee.email,
        Employee.employee_number,
        Employee.id,
    )


def _string_column(node: Comparison | Present) -> tuple[Column[Any], bool] | None:
    """(SQL value, case exact) of the attribute a node names, if it is one we translate."""
    path = node.attr_path
    uri = (path.uri or "").lower()
    attr, sub = path.attr.lower(), (path.sub_attr or "").lower()
    if uri in ("", CORE_USER.lower()):
        if attr == "id" and not sub:
            return Employee.id, True
        if attr == "externalid" and not sub:
            return _text("externalId"), True
        if attr == "username" and not sub:
            return shown_user_name(), False
        for name in CORE_STRINGS:
            if attr == name.lower() and not sub:
                return _text(name), False
        if attr == "name":
            for part in NAME_PARTS:
                if sub == part.lower():
                    return _text("name", part), False
    if uri == ENTERPRISE.lower() and not sub:
        for name in ENTERPRISE_STRINGS:
            if attr == name.lower():
                return _text(ENTERPRISE, name), False
    return None


def _meta_column(node: Comparison | Present) -> Column[Any] | None:
    path = node.attr_path
    if (path.uri or "").lower() not in ("", CORE_USER.lower()) or path.attr.lower() != "meta":
        return None
    sub = (path.sub_attr or "").lower()
    return {"created": Employee.created_at, "lastmodified": Employee.updated_at}.get(sub)


def _is_active(node: Comparison | Present) -> bool:
    path = node.attr_path
    return (
        (path.uri or "").lower() in ("", CORE_USER.lower())
        and path.attr.lower() == "active"
        and path.sub_attr is None
    )


# `active` is shown when the document holds it, or whenever HR says the person left.
_ACTIVE_SHOWN = or_(Employee.scim.has_key("active"), Employee.active.is_(False))


def _literally(value: Any) -> Any:
    """A LIKE pattern matching `value` itself: its `\\`, `%` and `_` escaped (with LIKE's
    default escape character, the backslash)."""
    for special in ("\\", "%", "_"):
        value = func.replace(value, special, "\\" + special, type_=String)
    return value


def _compare_string(column: Column[Any], exact: bool, op: CompareOperator, value: str) -> Any:
    left, right = (column, literal(value)) if exact else (func.lower(column), func.lower(value))
    if op == CompareOperator.eq:
        return left == right
    if op == CompareOperator.ne:
        return or_(column.is_(None), left != right)
    # Contains / starts / ends as LIKE on the escaped value (the same test as strpos, left and
    # right), which trigram and prefix indexes answer.
    if op == CompareOperator.co:
        return left.like(literal("%") + _literally(right) + "%")
    if op == CompareOperator.sw:
        return left.like(_literally(right) + "%")
    if op == CompareOperator.ew:
        return left.like(literal("%") + _literally(right))
    ordered = left.collate(C), right.collate(C)
    return {
        CompareOperator.gt: ordered[0] > ordered[1],
        CompareOperator.ge: ordered[0] >= ordered[1],
        CompareOperator.lt: ordered[0] < ordered[1],
        CompareOperator.le: ordered[0] <= ordered[1],
    }[op]


def _comparison(node: Comparison) -> Any | None:
    if _is_active(node) and isinstance(node.value, bool):
        if node.op == CompareOperator.eq:
            return and_(_ACTIVE_SHOWN, Employee.active.is_(node.value))
        if node.op == CompareOperator.ne:
            return not_(and_(_ACTIVE_SHOWN, Employee.active.is_(node.value)))
        return None
    column = _string_column(node)
    if column is not None and isinstance(node.value, str):
        return _compare_string(column[0], column[1], node.op, node.value)
    moment = _meta_column(node)
    if moment is not None and isinstance(node.value, str):
        try:
            at = datetime.fromisoformat(node.value)
        except ValueError:
            return None
        if at.tzinfo is None:
            return None
        return {
            CompareOperator.eq: moment == at,
            CompareOperator.gt: moment > at,
            CompareOperator.ge: moment >= at,
            CompareOperator.lt: moment < at,
            CompareOperator.le: moment <= at,
        }.get(node.op)
    return None


def _present(node: Present) -> Any | None:
    if _is_active(node):
        return _ACTIVE_SHOWN
    column = _string_column(node)
    if column is not None:
        return and_(column[0].is_not(None), column[0] != "")
    moment = _meta_column(node)
    return true() if moment is not None else None


def compile_user_filter(node: FilterNode) -> Compiled:
    """The filter as a WHERE clause on live users (see the module's docstring)."""
    if isinstance(node, Comparison | Present):
        clause = _comparison(node) if isinstance(node, Comparison) else _present(node)
        if clause is None:
            return Compiled(true(), exact=False)
        # Bare, so that an expression index can answer it; NULL (absent) selects nothing.
        return Compiled(clause, exact=True)
    if isinstance(node, Not):
        inner = compile_user_filter(node.expr)
        if not inner.exact:
            return Compiled(true(), False)
        # SCIM's logic has two values: an absent attribute is a non-match, whose negation
        # matches (NOT NULL would select nothing).
        return Compiled(not_(func.coalesce(inner.clause, false())), True)
    if isinstance(node, LogicalExpr):
        parts = [compile_user_filter(term) for term in node.terms]
        exact = all(p.exact for p in parts)
        if node.op == LogicalOperator.and_:
            return Compiled(and_(*(p.clause for p in parts)), exact)
        if exact:
            return Compiled(or_(*(p.clause for p in parts)), True)
        return Compiled(true(), False)
    return Compiled(true(), exact=False)
