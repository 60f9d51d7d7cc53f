"""OAuth 2.0 authorization code grant with PKCE, as the three networks run it.

Rules shared by the networks live here; each network module turns the outcomes into its own
bodies (errors.py and the `token_body` functions). PKCE accepts S256 only: `plain` (and a
challenge without a method, which RFC 7636 reads as plain) is refused at the authorization step.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from resonance.devstack.sandbox.config import Network, OAuthClient
from resonance.devstack.sandbox.errors import AuthFailure
from resonance.devstack.sandbox.state import (
    AccessToken,
    Account,
    AuthCode,
    RefreshToken,
    SandboxState,
)

OOB = "urn:ietf:wg:oauth:2.0:oob"
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


# -- pure rules -----------------------------------------------------------------------------


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify_pkce(challenge: str, verifier: str) -> bool:
    """RFC 7636 §4.6 with S256: BASE64URL(SHA256(verifier)) equals the stored challenge."""
    if not _VERIFIER.match(verifier):
        return False
    return hmac.compare_digest(s256(verifier), challenge)


def parse_scopes(raw: str) -> frozenset[str]:
    """Space-separated (X, Mastodon, LinkedIn today); commas too (older LinkedIn clients)."""
    return frozenset(part for part in re.split(r"[\s,+]+", raw.strip()) if part)


def redirect_allowed(client: OAuthClient, uri: str) -> bool:
    if uri in client.redirect_uris:
        return True
    if not client.allow_loopback_redirects:
        return False
    parts = urlsplit(uri)
    return (
        parts.scheme == "http"
        and parts.hostname in _LOOPBACK_HOSTS
        and parts.username is None
        and not parts.fragment
    )


def with_params(uri: str, params: Mapping[str, str | None]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend((k, v) for k, v in params.items() if v is not None)
    return urlunsplit(parts._replace(query=urlencode(query)))


def has_scope(network: Network, granted: frozenset[str], needed: str) -> bool:
    """Mastodon scopes nest: `write` covers `write:statuses`, `read` covers `read:accounts`."""
    if needed in granted:
        return True
    return network == "mastodon" and ":" in needed and needed.split(":", 1)[0] in granted


# -- authorization --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizeRequest:
    network: Network
    client: OAuthClient
    redirect_uri: str
    scopes: frozenset[str]
    state: str | None
    challenge: str | None
    params: dict[str, str]  # as received, to carry through the consent form


class AuthorizeProblem(Exception):
    """`redirect` False: the client or redirect_uri cannot be trusted, so show an error page."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        redirect: bool,
        uri: str = "",
        state: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.redirect = redirect
        self.uri = uri
        self.state = state


_SCOPE_ERROR = {
    "linkedin": "unauthorized_scope_error",
    "x": "invalid_scope",
    "mastodon": "invalid_scope",
}


def validate_authorize(
    state: SandboxState, network: Network, params: Mapping[str, str]
) -> AuthorizeRequest:
    policy = state.config.networks[network].policy
    client = state.client(network, params.get("client_id", ""))
    if client is None:
        raise AuthorizeProblem("invalid_client", "Unknown client_id", redirect=False)
    uri = params.get("redirect_uri", "")
    if not uri or not redirect_allowed(client, uri):
        raise AuthorizeProblem(
            "invalid_request",
            "The redirect_uri does not match the registered value",
            redirect=False,
        )
    given_state = params.get("state")

    def refuse(error: str, description: str) -> AuthorizeProblem:
        return AuthorizeProblem(error, description, redirect=True, uri=uri, state=given_state)

    if params.get("response_type") != "code":
        raise refuse("unsupported_response_type", "response_type must be code")
    raw_scope = params.get("scope", "")
    if not raw_scope and network == "mastodon":
        raw_scope = "read"  # Mastodon's default scope
    scopes = parse_scopes(raw_scope)
    if not scopes:
        raise refuse("invalid_request", "scope is required")
    unknown = sorted(scopes - client.scopes)
    if unknown:
        raise refuse(
            _SCOPE_ERROR[network], f'Scope "{unknown[0]}" is not authorized for your application'
        )
    if network == "x" and not given_state:
        raise refuse("invalid_request", "state is required")
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or ("plain" if challenge else None)
    if challenge is None and policy.require_pkce:
        raise refuse("invalid_request", "code_challenge is required")
    if challenge is not None:
        if method != "S256":
            raise refuse("invalid_request", "code_challenge_method must be S256 (plain is refused)")
        if not _CHALLENGE.match(challenge):
            raise refuse("invalid_request", "code_challenge must be 43 base64url characters")
    return AuthorizeRequest(network, client, uri, scopes, given_state, challenge, dict(params))


def issue_code(state: SandboxState, req: AuthorizeRequest, account: Account) -> str:
    policy = state.config.networks[req.network].policy
    code = secrets.token_urlsafe(32)
    with state.lock:
        state.codes.put(
            code,
            AuthCode(
                code=code,
                network=req.network,
                client_id=req.client.client_id,
                account_id=account.id,
                redirect_uri=req.redirect_uri,
                scopes=req.scopes,
                challenge=req.challenge,
                expires_at=state.now() + policy.code_ttl,
            ),
        )
        state.consents.put((req.network, req.client.client_id, account.id), req.scopes)
    return code


def already_granted(state: SandboxState, req: AuthorizeRequest, account: Account) -> bool:
    granted = state.consents.get((req.network, req.client.client_id, account.id))
    return granted is not None and req.scopes <= granted


# -- client authentication and token grants -------------------------------------------------

TokenFailureKind = Literal[
    "invalid_client",
    "invalid_request",
    "invalid_grant",
    "unsupported_grant_type",
    "refresh_invalid",
    "refresh_reused",
]


@dataclass(frozen=True)
class TokenFailure:
    kind: TokenFailureKind
    description: str


@dataclass(frozen=True)
class Issued:
    access: AccessToken
    refresh: RefreshToken | None

    def expires_in(self, now: float) -> int | None:
        if self.access.expires_at is None:
            return None
        return round(self.access.expires_at - now)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def authenticate_client(
    state: SandboxState, network: Network, authorization: str | None, form: Mapping[str, str]
) -> OAuthClient | TokenFailure:
    """X wants confidential clients in HTTP Basic; LinkedIn and Mastodon also take the form."""
    basic = basic_credentials(authorization)
    client_id, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret"))
    client = state.client(network, client_id)
    if client is None:
        return TokenFailure("invalid_client", "unknown client")
    if client.secret is None:
        return client
    if network == "x" and basic is None:
        return TokenFailure("invalid_client", "Missing valid authorization header")
    if secret is None or not hmac.compare_digest(secret.encode(), client.secret.encode()):
        return TokenFailure("invalid_client", "client authentication failed")
    return client


def mint(
    state: SandboxState,
    network: Network,
    client_id: str,
    account_id: str,
    scopes: frozenset[str],
    family: str,
) -> Issued:
    policy = state.config.networks[network].policy
    with state.lock:
        now = state.now()
        access = AccessToken(
            token=secrets.token_urlsafe(48),
            network=network,
            client_id=client_id,
            account_id=account_id,
            scopes=scopes,
            issued_at=now,
            expires_at=None if policy.access_ttl is None else now + policy.access_ttl,
            family=family,
        )
        state.tokens.put(access.token, access)
        refresh = None
        if policy.rotating_refresh and "offline.access" in scopes:
            refresh = RefreshToken(
                token=secrets.token_urlsafe(48),
                network=network,
                client_id=client_id,
                account_id=account_id,
                scopes=scopes,
                issued_at=now,
                expires_at=None if policy.refresh_ttl is None else now + policy.refresh_ttl,
                family=family,
            )
            state.refresh_tokens.put(refresh.token, refresh)
        return Issued(access, refresh)


def exchange_code(
    state: SandboxState, network: Network, client: OAuthClient, form: Mapping[str, str]
) -> Issued | TokenFailure:
    with state.lock:
        code = state.codes.get(form.get("code", ""))
        if code is None or code.network != network:
            return TokenFailure("invalid_grant", "unknown authorization code")
        if code.used:
            # RFC 6749 §4.1.2: a replayed code revokes what it already produced.
            revoke_family(state, network, code.family)
            return TokenFailure("invalid_grant", "authorization code already used")
        if state.now() > code.expires_at:
            return TokenFailure("invalid_grant", "authorization code expired")
        if code.client_id != client.client_id or code.redirect_uri != form.get("redirect_uri"):
            return TokenFailure("invalid_grant", "client or redirect_uri does not match the code")
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            if not verify_pkce(code.challenge, verifier):
                return TokenFailure("invalid_grant", "code_verifier does not match the challenge")
        code.used = True
        return mint(state, network, client.client_id, code.account_id, code.scopes, code.family)


def refresh(
    state: SandboxState, network: Network, client: OAuthClient, form: Mapping[str, str]
) -> Issued | TokenFailure:
    """X's rotating refresh: each refresh token works once; a replay revokes the whole chain."""
    with state.lock:
        record = state.refresh_tokens.get(form.get("refresh_token", ""))
        if record is None or record.network != network or record.client_id != client.client_id:
            return TokenFailure("refresh_invalid", "unknown refresh token")
        if record.revoked:
            return TokenFailure("refresh_invalid", "refresh token revoked")
        if record.used:
            revoke_family(state, network, record.family)
            return TokenFailure("refresh_reused", "refresh token already used")
        if record.expires_at is not None and state.now() > record.expires_at:
            return TokenFailure("refresh_invalid", "refresh token expired")
        record.used = True
        return mint(
            state, network, client.client_id, record.account_id, record.scopes, record.family
        )


def revoke_family(state: SandboxState, network: Network, family: str) -> int:
    count = 0
    with state.lock:
        for token in state.tokens.values():
            if token.network == network and token.family == family and not token.revoked:
                token.revoked = True
                count += 1
        for rt in state.refresh_tokens.values():
            if rt.network == network and rt.family == family and not rt.revoked:
                rt.revoked = True
                count += 1
    return count


def revoke_token(state: SandboxState, network: Network, token: str, client_id: str | None) -> int:
    """Revokes an access token, or a refresh token with its chain. Unknown tokens: 0 (RFC 7009)."""
    with state.lock:
        access = state.tokens.get(token)
        if access is not None and access.network == network:
            if client_id is not None and access.client_id != client_id:
                return 0
            was = not access.revoked
            access.revoked = True
            return int(was)
        rt = state.refresh_tokens.get(token)
        if rt is not None and rt.network == network:
            if client_id is not None and rt.client_id != client_id:
                return 0
            return revoke_family(state, network, rt.family)
        return 0


def revoke_account(state: SandboxState, network: Network, account_id: str) -> int:
    """Everything an account granted: tokens, refresh chains and remembered consent."""
    count = 0
    with state.lock:
        for token in state.tokens.values():
            if token.network == network and token.account_id == account_id and not token.revoked:
                token.revoked = True
                count += 1
        for rt in state.refresh_tokens.values():
            if rt.network == network and rt.account_id == account_id and not rt.revoked:
                rt.revoked = True
                count += 1
        for key in [k for k in state.consents if k[0] == network and k[2] == account_id]:
            del state.consents[key]
    return count


def resolve_bearer(
    state: SandboxState, network: Network, authorization: str | None
) -> AccessToken | AuthFailure:
    if not authorization or not authorization.lower().startswith("bearer "):
        return "invalid"
    with state.lock:
        token = state.tokens.get(authorization[7:].strip())
        if token is None or token.network != network:
            return "invalid"
        if token.revoked:
            return "revoked"
        if token.expires_at is not None and state.now() >= token.expires_at:
            return "expired"
        return token
