"""Error responses in each network's own shape, so connectors classify the real bodies.

- LinkedIn: `{"status", "serviceErrorCode", "code", "message"}` (65600 invalid, 65601 revoked,
  65602 expired; 100 = missing permission).
- X: RFC 7807-style problems `{"title", "type", "status", "detail"}`; OAuth errors use the
  RFC 6749 body with X's own wording.
- Mastodon: `{"error": "…"}` (Doorkeeper's texts for tokens).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import JSONResponse

from resonance.devstack.sandbox.config import Network

AuthFailure = Literal["invalid", "expired", "revoked"]
X_PROBLEMS = "https://api.twitter.com/2/problems/"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

_LINKEDIN_401: dict[AuthFailure, tuple[int, str, str]] = {
    "invalid": (65600, "INVALID_ACCESS_TOKEN", "Invalid access token"),
    "revoked": (
        65601,
        "REVOKED_ACCESS_TOKEN",
        "The token used in the request has been revoked by the user",
    ),
    "expired": (65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"),
}
_MASTODON_401: dict[AuthFailure, str] = {
    "invalid": "The access token is invalid",
    "revoked": "The access token was revoked",
    "expired": "The access token expired",
}


def linkedin_error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, **extra}, status_code=status)


def x_problem(
    status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any
) -> JSONResponse:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return JSONResponse(body, status_code=status)


def mastodon_error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=NO_STORE
    )


def unauthorized(network: Network, reason: AuthFailure) -> JSONResponse:
    if network == "linkedin":
        code, name, message = _LINKEDIN_401[reason]
        return linkedin_error(401, message, serviceErrorCode=code, code=name)
    if network == "x":
        return x_problem(401, "Unauthorized", "Unauthorized")
    message = _MASTODON_401[reason]
    challenge = f'Bearer realm="Doorkeeper", error="invalid_token", error_description="{message}"'
    return mastodon_error(401, message, {"WWW-Authenticate": challenge})


def forbidden(network: Network, resource: str) -> JSONResponse:
    """The token lacks a scope (or the caller is not the owner)."""
    if network == "linkedin":
        return linkedin_error(
            403,
            f"Not enough permissions to access: {resource}",
            serviceErrorCode=100,
            code="ACCESS_DENIED",
        )
    if network == "x":
        return x_problem(
            403,
            "Forbidden",
            f"You are not permitted to perform this action: {resource}",
        )
    return mastodon_error(403, "This action is outside the authorized scopes")


def too_many_requests(network: Network, quota_scope: str) -> JSONResponse:
    if network == "linkedin":
        level = "APPLICATION" if quota_scope == "app" else "MEMBER"
        return linkedin_error(
            429, f"Resource level throttle {level} DAY limit for calls to this resource is reached."
        )
    if network == "x":
        return x_problem(429, "Too Many Requests", "Too Many Requests")
    return mastodon_error(429, "Too many requests")


def server_error(network: Network, status: int) -> JSONResponse:
    phrase = {
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, "Server Error")
    if network == "linkedin":
        return linkedin_error(status, phrase)
    if network == "x":
        return x_problem(status, phrase, phrase)
    return mastodon_error(status, phrase)


def invalid(network: Network, message: str, parameter: str = "text") -> JSONResponse:
    """A request the API refuses as malformed (too long, blank, missing field)."""
    if network == "linkedin":
        # ERROR :: /field :: … is how Rest.li reports a field that fails validation [U].
        return linkedin_error(
            422, f"ERROR :: /{parameter} :: {message}", code="UNPROCESSABLE_ENTITY"
        )
    if network == "x":
        return x_problem(
            400,
            "Invalid Request",
            "One or more parameters to your request was invalid.",
            X_PROBLEMS + "invalid-request",
            errors=[{"parameters": {parameter: []}, "message": message}],
        )
    return mastodon_error(422, f"Validation failed: {message}")


def not_found(network: Network, what: str) -> JSONResponse:
    if network == "linkedin":
        return linkedin_error(404, f"Not Found: {what}", serviceErrorCode=0)
    if network == "x":
        return x_problem(
            404, "Not Found Error", f"Could not find {what}.", X_PROBLEMS + "resource-not-found"
        )
    return mastodon_error(404, "Record not found")
