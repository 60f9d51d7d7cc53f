"""Unit tests of the SCIM protocol rules and of how refusals become SCIM error bodies."""

from typing import Any

import pytest
from scim2_models import Context, PatchOp, ScimFilter

from resonance.ambassadors.api.scim_support import scim_error_of
from resonance.ambassadors.domain.errors import NotAnActiveEmployee
from resonance.ambassadors.domain.scim_mapping import ScimUser
from resonance.ambassadors.domain.scim_protocol import (
    ScimConflict,
    ScimRefused,
    apply_patch,
    equality_hint,
    matching,
)
from resonance.common.domain_errors import Invalid, NotFound


def _filter(raw: str) -> Any:
    return ScimFilter[ScimUser](raw)


def test_equality_on_a_core_attribute_can_use_an_index() -> None:
    assert equality_hint(_filter('userName eq "Lea@Acme.example"')) == (
        "username",
        "Lea@Acme.example",
    )
    assert equality_hint(_filter('externalId eq "00u1"')) == ("externalid", "00u1")
    # Anything else is evaluated on every live user: no hint.
    assert equality_hint(_filter('userName sw "lea"')) is None
    assert equality_hint(_filter('userName eq "a" or userName eq "b"')) is None
    assert equality_hint(_filter('name.givenName eq "Lea"')) is None
    assert equality_hint(None) is None


def test_matching_keeps_what_the_filter_selects() -> None:
    lea = ScimUser(user_name="lea@acme.example")
    max_ = ScimUser(user_name="max@acme.example")
    assert matching([lea, max_], _filter('userName sw "le"')) == [lea]
    assert matching([lea, max_], None) == [lea, max_]


def test_a_patch_that_cannot_apply_is_a_scim_refusal() -> None:
    user = ScimUser(user_name="lea@acme.example")
    replace = PatchOp[ScimUser].model_validate(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Léa"}],
        },
        scim_ctx=Context.RESOURCE_PATCH_REQUEST,
    )
    apply_patch(replace, user)
    assert user.display_name == "Léa"
    not_a_boolean = PatchOp[ScimUser].model_validate(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": "maybe"}],
        },
        scim_ctx=Context.RESOURCE_PATCH_REQUEST,
    )
    # The operation is well formed; only applying it shows the value does not fit.
    with pytest.raises(ScimRefused) as refused:
        apply_patch(not_a_boolean, user)
    assert refused.value.scim_type == "invalidValue"
    assert user.active is None  # nothing applied


@pytest.mark.parametrize(
    ("error", "status", "scim_type"),
    [
        (NotFound("User x not found"), 404, None),
        (ScimConflict("a user with this identifier already exists"), 409, "uniqueness"),
        (ScimRefused("bad path", "invalidPath"), 400, "invalidPath"),
        # RFC 7644 has no 422: a broken rule is a 400 invalidValue.
        (Invalid("2 member(s) are not users of this service"), 400, "invalidValue"),
        # Another conflict keeps its status; only SCIM's own conflicts say `uniqueness`.
        (NotAnActiveEmployee("only active employees can take part"), 409, None),
    ],
)
def test_refusals_become_scim_errors(error: Any, status: int, scim_type: str | None) -> None:
    scim = scim_error_of(error)
    assert (scim.status, scim.scim_type, scim.detail) == (status, scim_type, error.detail)
