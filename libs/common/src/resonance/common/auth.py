"""Bearer-token authentication (JWT from the OIDC provider, checked against its JWKS) and
role/tenant authorisation for FastAPI routes."""

import base64
import binascii
import json
import math
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from resonance.common.errors import PROBLEM_BASE, Problem
from resonance.common.jwks import JwksCache, KeysUnavailable
from resonance.common.settings import ServiceSettings


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


class SigningKeysUnavailable(InvalidToken):
    """The provider's signing keys cannot be fetched and none are cached: nobody can be
    verified right now (503, not 401). It is an InvalidToken so that a caller only asking
    "who is this?" (the idempotency layer) treats the request as unauthenticated and leaves
    the answer to the route."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__("the identity provider's signing keys are unavailable")
        self.retry_after_s = retry_after_s


class _UnknownKey(Exception):
    pass


# Asymmetric algorithms only: "none" and HMAC (key-confusion attacks) are never accepted.
ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
# Far above any real access token; refused before any parsing or key lookup.
MAX_TOKEN_CHARS = 16_384
ANY_TENANT = "*"


@dataclass(frozen=True)
class Issuer:
    """A provider whose tokens are accepted: where its keys are and which tenants it speaks
    for (`ANY_TENANT` for all of them)."""

    issuer: str
    jwks_url: str
    tenants: frozenset[str] = frozenset({ANY_TENANT})

    def may_assert(self, tenant: str) -> bool:
        return ANY_TENANT in self.tenants or tenant in self.tenants


def may_client_assert(
    client_tenants: Mapping[str, Iterable[str]], client: str | None, tenant: str
) -> bool:
    """A client listed in the policy may only assert its tenants; unlisted clients are
    limited by their issuer alone."""
    if client is None or client not in client_tenants:
        return True
    allowed = set(client_tenants[client])
    return ANY_TENANT in allowed or tenant in allowed


class JwtVerifier:
    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str,
        leeway_s: int = 30,
        min_refresh_interval_s: float = 10.0,
        http: httpx.AsyncClient | None = None,
        *,
        tenants: Iterable[str] = (ANY_TENANT,),
        extra_issuers: Iterable[Issuer] = (),
        client_tenants: Mapping[str, Iterable[str]] | None = None,
        keys_lifetime_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.audience = audience
        self.leeway_s = leeway_s
        self.client_tenants = {k: list(v) for k, v in (client_tenants or {}).items()}
        issuers = [Issuer(issuer, jwks_url, frozenset(tenants)), *extra_issuers]
        self._issuers = {i.issuer: i for i in issuers}
        self._keys = {
            i.issuer: JwksCache(
                i.jwks_url,
                default_lifetime_s=keys_lifetime_s,
                min_interval_s=min_refresh_interval_s,
                http=http,
                clock=clock,
            )
            for i in issuers
        }
        self._claims = {
            i.issuer: jwt.JWTClaimsRegistry(
                leeway=leeway_s,
                iss={"essential": True, "value": i.issuer},
                aud={"essential": True, "value": audience},
                exp={"essential": True},
                sub={"essential": True},
            )
            for i in issuers
        }

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "JwtVerifier":
        return cls(
            settings.oidc_issuer,
            settings.oidc_audience,
            settings.jwks_url,
            min_refresh_interval_s=settings.jwks_min_refresh_interval_s,
            tenants=settings.oidc_tenants,
            extra_issuers=[
                Issuer(
                    extra.issuer,
                    extra.jwks_url or f"{extra.issuer.rstrip('/')}/jwks",
                    frozenset(extra.tenants),
                )
                for extra in settings.oidc_extra_issuers
            ],
            client_tenants=settings.oidc_client_tenants,
            keys_lifetime_s=settings.jwks_cache_s,
        )

    def key_cache(self, issuer: str) -> JwksCache:
        return self._keys[issuer]

    async def verify(self, token: str) -> Principal:
        named = _unverified_issuer(token)
        issuer = self._issuers.get(named) if named is not None else None
        if issuer is None:
            # Decided before any key lookup: tokens naming made-up issuers cost nothing.
            raise InvalidToken("token from an issuer that is not trusted")
        cache = self._keys[issuer.issuer]
        try:
            try:
                claims = self._decode(token, issuer, await cache.keys())
            except _UnknownKey:
                # Usually the provider rotated its keys: refetch, at most once per interval.
                try:
                    claims = self._decode(token, issuer, await cache.refreshed())
                except _UnknownKey as exc:
                    raise InvalidToken("signing key not found") from exc
        except KeysUnavailable as exc:
            raise SigningKeysUnavailable(exc.retry_after_s) from exc
        return self._principal(claims, issuer)

    def _decode(self, token: str, issuer: Issuer, keys: KeySet) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token, keys, algorithms=ALLOWED_ALGORITHMS)
            self._claims[issuer.issuer].validate(decoded.claims)
        except InvalidKeyIdError as exc:
            raise _UnknownKey from exc
        except ExpiredTokenError as exc:
            raise InvalidToken("token expired") from exc
        except JoseError as exc:
            raise InvalidToken(exc.description or exc.error) from exc
        except ValueError as exc:
            raise InvalidToken("malformed token") from exc
        return dict(decoded.claims)

    def _principal(self, claims: dict[str, Any], issuer: Issuer) -> Principal:
        tenant = claims.get("tenant")
        if not isinstance(tenant, str) or not tenant:
            raise InvalidToken("token has no tenant")
        client_id = claims.get("client_id") or claims.get("azp")
        client = str(client_id) if client_id is not None else None
        # A signature proves who issued the token, not that the issuer may speak for the
        # tenant it names: that is configuration, not a claim.
        if not issuer.may_assert(tenant):
            raise InvalidToken("the issuer may not assert this tenant")
        if not may_client_assert(self.client_tenants, client, tenant):
            raise InvalidToken("the client may not assert this tenant")
        roles = claims.get("roles") or []
        if isinstance(roles, str):
            roles = roles.split()
        return Principal(
            subject=str(claims["sub"]),
            tenant=tenant,
            roles=frozenset(str(r) for r in roles),
            client_id=client,
        )

    async def close(self) -> None:
        for cache in self._keys.values():
            await cache.close()


def _unverified_issuer(token: str) -> str | None:
    """The `iss` claim read without checking anything, only to pick the provider whose keys
    will check it; None when the token is not even shaped like a JWT."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("token too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise InvalidToken("malformed token") from exc
    issuer = payload.get("iss") if isinstance(payload, dict) else None
    return issuer if isinstance(issuer, str) else None


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
    except SigningKeysUnavailable as exc:
        # The provider is down and we never had its keys: the caller's token may be fine.
        raise Problem(
            503,
            "Service Unavailable",
            "the identity provider cannot be reached; try again shortly",
            type_=PROBLEM_BASE + "identity-provider-unavailable",
            headers={"Retry-After": str(math.ceil(exc.retry_after_s))},
        ) from exc
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
