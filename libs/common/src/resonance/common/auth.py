"""Bearer-token authentication (JWT from the OIDC provider, checked against its JWKS) and
role/tenant authorisation for FastAPI routes."""

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from resonance.common.errors import Problem


class Role(StrEnum):
    ADMIN = "admin"
    PROGRAM_MANAGER = "program_manager"
    COMMUNICATOR = "communicator"
    AMBASSADOR = "ambassador"
    INTEGRATION = "integration"


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    roles: frozenset[str]
    client_id: str | None = None

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class InvalidToken(Exception):
    pass


class _UnknownKey(Exception):
    pass


# Asymmetric algorithms only: "none" and HMAC (key-confusion attacks) are never accepted.
ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class JwtVerifier:
    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str,
        leeway_s: int = 30,
        min_refresh_interval_s: float = 10.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.leeway_s = leeway_s
        self.min_refresh_interval_s = min_refresh_interval_s
        self._http = http
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._claims = jwt.JWTClaimsRegistry(
            leeway=leeway_s,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )

    async def _fetch_keys(self) -> KeySet:
        if self._http is not None:
            response = await self._http.get(self.jwks_url, timeout=5)
        else:
            async with httpx.AsyncClient() as client:
                response = await client.get(self.jwks_url, timeout=5)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())

    async def _key_set(self, force: bool = False) -> KeySet:
        async with self._lock:
            stale = time.monotonic() - self._fetched_at > self.min_refresh_interval_s
            if self._keys is None or (force and stale):
                self._keys = await self._fetch_keys()
                self._fetched_at = time.monotonic()
            return self._keys

    async def verify(self, token: str) -> Principal:
        try:
            claims = self._decode(token, await self._key_set())
        except _UnknownKey:
            # An unknown kid usually means the provider rotated its keys: refetch once.
            try:
                claims = self._decode(token, await self._key_set(force=True))
            except _UnknownKey as exc:
                raise InvalidToken("signing key not found") from exc
        return self._principal(claims)

    def _decode(self, token: str, keys: KeySet) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token, keys, algorithms=ALLOWED_ALGORITHMS)
            self._claims.validate(decoded.claims)
        except InvalidKeyIdError as exc:
            raise _UnknownKey from exc
        except ExpiredTokenError as exc:
            raise InvalidToken("token expired") from exc
        except JoseError as exc:
            raise InvalidToken(exc.description or exc.error) from exc
        except ValueError as exc:
            raise InvalidToken("malformed token") from exc
        return dict(decoded.claims)

    @staticmethod
    def _principal(claims: dict[str, Any]) -> Principal:
        tenant = claims.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise InvalidToken("token has no tenant")
        roles = claims.get("roles") or []
        if isinstance(roles, str):
            roles = roles.split()
        return Principal(
            subject=str(claims["sub"]),
            tenant=tenant,
            roles=frozenset(str(r) for r in roles),
            client_id=claims.get("client_id") or claims.get("azp"),
        )


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An access token (JWT) from the OpenID Connect provider.",
)
# Per-request cache in the ASGI scope (request.state may be shared by lifespan state).
PRINCIPAL_SCOPE_KEY = "resonance.principal"

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="resonance"'}


async def authenticate(
    request: Request,
    # Declared as a dependency so every route carries the bearer scheme in OpenAPI.
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> Principal:
    """Resolves the caller once per request (the idempotency layer may have done it)."""
    cached = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if isinstance(cached, Principal):
        return cached
    if credentials is None:
        raise Problem(401, "Unauthorized", "a bearer token is required", headers=_CHALLENGE)
    verifier: JwtVerifier = request.app.state.runtime.verifier
    try:
        principal = await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise Problem(401, "Unauthorized", f"invalid token: {exc}", headers=_CHALLENGE) from exc
    request.scope[PRINCIPAL_SCOPE_KEY] = principal
    return principal


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that admits callers holding any of `roles` (admin always passes)."""
    allowed = {*roles, Role.ADMIN.value}

    async def dependency(principal: Principal = Depends(authenticate)) -> Principal:
        if not principal.roles.intersection(allowed):
            raise Problem(
                403, "Forbidden", f"requires one of the roles: {', '.join(sorted(allowed))}"
            )
        return principal

    return dependency
