"""Demo tenants, users and OAuth clients for the local OpenID Connect provider.

Everything here is public demo data for a development machine: never reuse these secrets.
"""

from __future__ import annotations

import uuid
from typing import Any

DEMO_PASSWORD = "resonance"  # noqa: S105 - published demo credential
ROLES = ("admin", "program_manager", "communicator", "ambassador", "integration")

# Stable subjects: services may key people by `sub`, so it must not change between restarts.
_SUB_NAMESPACE = uuid.UUID("6f1c2a52-4a5e-4c1e-9a57-7265736f6e61")


def _user(tenant: str, username: str, name: str, roles: list[str]) -> dict[str, Any]:
    return {
        "sub": str(uuid.uuid5(_SUB_NAMESPACE, f"{tenant}/{username}")),
        "password": DEMO_PASSWORD,
        "tenant": tenant,
        "roles": roles,
        "name": name,
        "email": f"{username}@{tenant}.example",
    }


DEMO_USERS: dict[str, dict[str, Any]] = {
    "alice": _user("acme", "alice", "Alice Admin", ["admin"]),
    "paul": _user("acme", "paul", "Paul Programme", ["program_manager"]),
    "chloe": _user("acme", "chloe", "Chloe Comms", ["communicator"]),
    "adam": _user("acme", "adam", "Adam Ambassador", ["ambassador"]),
    # More acme ambassadors for the demo activity, so boards have a crowd: each is linked to
    # the employee of the same name HR provisions by SCIM (devstack/demo_sharing.py, PEOPLE).
    "lea": _user("acme", "lea", "Léa Martin", ["ambassador"]),
    "hugo": _user("acme", "hugo", "Hugo Bernard", ["ambassador"]),
    "jonas": _user("acme", "jonas", "Jonas Weber", ["ambassador"]),
    "sofia": _user("acme", "sofia", "Sofia Rossi", ["ambassador"]),
    # Second tenant, for isolation demos: acme tokens must never see globex data.
    "gina": _user("globex", "gina", "Gina Globex", ["admin"]),
    "gus": _user("globex", "gus", "Gus Globex", ["ambassador"]),
}

DEMO_CLIENTS: dict[str, dict[str, Any]] = {
    # Machine client for HR intake (client_credentials).
    "hr-connector": {
        "secret": "hr-secret",
        "tenant": "acme",
        "roles": ["integration"],
        "grant_types": ["client_credentials"],
        "scope": "hr:write",
    },
    "globex-hr-connector": {
        "secret": "globex-hr-secret",
        "tenant": "globex",
        "roles": ["integration"],
        "grant_types": ["client_credentials"],
        "scope": "hr:write",
    },
    # The careers site reporting applications that came through shared links (conversions).
    "careers-site": {
        "secret": "careers-secret",
        "tenant": "acme",
        "roles": ["integration"],
        "grant_types": ["client_credentials"],
        "scope": "conversions:write",
    },
    # Public client (no secret) used by curl and demo scripts with the password grant.
    "resonance-cli": {"grant_types": ["password"]},
}
