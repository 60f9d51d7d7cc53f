"""Helpers the ambassadors tests share: SCIM documents and provisioning, signed HR notices,
tokens. Events are read and written with `resonance.devstack.testkit`."""

import json
import time
from typing import Any

from resonance.ambassadors.domain.webhook_signature import sign
from resonance.devstack.testing import Infra, RunningService

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SCIM_JSON = "application/scim+json"


async def provision(svc: RunningService, hr: dict[str, str], user: dict[str, Any]) -> str:
    """Creates a SCIM User as an identity provider would; its id."""
    r = await svc.client.post("/scim/v2/Users", json=user, headers=hr)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def provision_named(svc: RunningService, hr: dict[str, str], user_name: str) -> str:
    """The smallest User there is: a userName (which is also their token subject)."""
    return await provision(svc, hr, {"schemas": [CORE], "userName": user_name})


async def user_by_number(svc: RunningService, hr: dict[str, str], number: str) -> dict | None:
    """The SCIM User with this enterprise employeeNumber, as the identity provider sees it."""
    r = await svc.client.get(
        "/scim/v2/Users", params={"filter": f'{ENT}:employeeNumber eq "{number}"'}, headers=hr
    )
    assert r.status_code == 200, r.text
    resources = r.json()["Resources"]
    return resources[0] if resources else None


def ambassador(infra: Infra, tenant: str, subject: str) -> dict[str, str]:
    """Authorization headers of a person signing in as `subject`."""
    return infra.auth(tenant=tenant, roles=["ambassador"], subject=subject)


async def webhook_secret(svc: RunningService, admin: dict[str, str]) -> str:
    """Sets a fresh HR webhook secret for the admin's tenant and returns it."""
    r = await svc.client.put("/v1/hr/webhook-secret", json={}, headers=admin)
    assert r.status_code == 200, r.text
    return str(r.json()["secret"])


def signed(
    secret: str, payload: dict, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """An HR notice signed as the HR system signs it (now, unless `timestamp` says when)."""
    body = json.dumps(payload).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return body, {
        "X-Resonance-Timestamp": ts,
        "X-Resonance-Signature": sign(secret, ts, body),
        "content-type": "application/json",
    }
